"""The reference for the translation benchmark: the same encoder-decoder with attention as
Seq2SeqAttentionTrainer in PyTorch, trained on the same tokens (written by examples/Multi30k --dump), with
the same batching, optimiser, clipping, label smoothing and epochs; then decoded one sentence at a time,
greedy and beam search, as a user of a one-sentence PyTorch translator would.

Usage: seq2seq_multi30k.py DUMP_DIR EPOCHS THREADS OUT_DIR [--cell gru|lstm] [--embedding 256] [--hidden 256]
       [--decoder-hidden 512] [--batch 64] [--beam 5] [--alpha 0.7] [--decode-limit N]
Prints one line per epoch ("epoch N: loss L, S s") and the decoding rates; writes OUT_DIR/test.greedy and
OUT_DIR/test.beam (detokenised) for scoring with the project's BLEU.
"""
import argparse
import math
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, UNK, START, END = 0, 1, 2, 3
JOINER = "\uFFED"

p = argparse.ArgumentParser()
p.add_argument("dump"); p.add_argument("epochs", type=int); p.add_argument("threads", type=int); p.add_argument("out")
p.add_argument("--cell", default="gru"); p.add_argument("--embedding", type=int, default=256)
p.add_argument("--hidden", type=int, default=256); p.add_argument("--decoder-hidden", type=int, default=512)
p.add_argument("--batch", type=int, default=64); p.add_argument("--beam", type=int, default=5)
p.add_argument("--alpha", type=float, default=0.7); p.add_argument("--decode-limit", type=int, default=0)
p.add_argument("--no-decode", action="store_true")
p.add_argument("--dropout", type=float, default=0.3); p.add_argument("--smoothing", type=float, default=0.1)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)
random.seed(1)


def read_lines(name):
    with open(f"{args.dump}/{name}", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


src_vocab = {t: i for i, t in enumerate(read_lines("source.vocab"))}
tgt_tokens = read_lines("target.vocab")
tgt_vocab = {t: i for i, t in enumerate(tgt_tokens)}


def encode(lines, vocab):
    return [[vocab.get(t, UNK) for t in line.split(" ") if t] for line in lines]


train_src, train_tgt = encode(read_lines("train.src"), src_vocab), encode(read_lines("train.tgt"), tgt_vocab)
keep = [i for i in range(len(train_src)) if 0 < len(train_src[i]) <= 100 and 0 < len(train_tgt[i]) <= 100]
train_src, train_tgt = [train_src[i] for i in keep], [train_tgt[i] for i in keep]
test_src = encode(read_lines("test.src"), src_vocab)
if args.decode_limit:
    test_src = test_src[: args.decode_limit]


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        E, H, D, A = args.embedding, args.hidden, args.decoder_hidden, args.hidden
        rnn = nn.LSTM if args.cell == "lstm" else nn.GRU
        self.src_emb = nn.Embedding(len(src_vocab), E, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(len(tgt_tokens), E, padding_idx=PAD)
        self.encoder = rnn(E, H, batch_first=True, bidirectional=True)
        self.decoder = rnn(E + 2 * H, D, batch_first=True)
        self.query = nn.Linear(D, A, bias=False)
        self.key = nn.Linear(2 * H, A)
        self.energy = nn.Linear(A, 1, bias=False)
        self.combine = nn.Linear(D + 2 * H, D)
        self.output = nn.Linear(D, len(tgt_tokens))
        self.dropout = nn.Dropout(args.dropout)
        self.bridge = nn.Linear(2 * H, D)
        self.bridge_cell = nn.Linear(2 * H, D) if args.cell == "lstm" else None

    def encode(self, src, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.dropout(self.src_emb(src)), lengths, batch_first=True, enforce_sorted=False)
        out, final = self.encoder(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        mask = torch.arange(src.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        h = final[0] if isinstance(final, tuple) else final
        top = torch.cat([h[0], h[1]], 1)
        state = torch.tanh(self.bridge(top)).unsqueeze(0)
        if self.bridge_cell is not None:
            c = final[1]
            state = (state, torch.tanh(self.bridge_cell(torch.cat([c[0], c[1]], 1))).unsqueeze(0))
        return memory, self.key(memory), mask, state

    def step(self, embedded, state, memory, keys, mask):
        h = state[0] if isinstance(state, tuple) else state
        e = self.energy(torch.tanh(self.query(h[-1]).unsqueeze(1) + keys)).squeeze(2)
        w = e.masked_fill(~mask, float("-inf")).softmax(1)
        context = w.unsqueeze(1).bmm(memory)
        out, state = self.decoder(torch.cat([embedded.unsqueeze(1), context], 2), state)
        feed = torch.tanh(self.combine(torch.cat([out, context], 2))).squeeze(1)
        return feed, state, w

    def forward(self, src, lengths, tgt_in):
        memory, keys, mask, state = self.encode(src, lengths)
        embedded = self.dropout(self.tgt_emb(tgt_in))
        feeds = []
        for t in range(tgt_in.shape[1]):
            feed, state, _ = self.step(embedded[:, t], state, memory, keys, mask)
            feeds.append(feed)
        return self.output(self.dropout(torch.stack(feeds, 1)))


def batches_for_training(lengths, size, rng):
    # The project's LengthBatches: shuffle, sort by length within pools of 50 batches, shuffle the batches.
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    pool = size * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda r: lengths[r])
        batches += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def padded(rows):
    longest = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (longest - len(r)) for r in rows]), torch.tensor([len(r) for r in rows])


model = Seq2Seq()
print(f"weights: {sum(p.numel() for p in model.parameters()):,}")
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
rng = random.Random(1)
batches_per_epoch = (len(train_src) + args.batch - 1) // args.batch
total_steps, step_index = batches_per_epoch * args.epochs, 0
for epoch in range(1, args.epochs + 1):
    model.train()
    start = time.perf_counter()
    total, count = 0.0, 0
    forward = backward = step = 0.0
    for batch in batches_for_training([len(s) for s in train_src], args.batch, rng):
        src, lengths = padded([train_src[r] for r in batch])
        longest = max(len(train_tgt[r]) for r in batch) + 1
        tgt_in = torch.tensor([[START] + train_tgt[r] + [PAD] * (longest - 1 - len(train_tgt[r])) for r in batch])
        tgt_out = torch.tensor([train_tgt[r] + [END] + [PAD] * (longest - 1 - len(train_tgt[r])) for r in batch])
        t0 = time.perf_counter()
        # The project's cosine schedule: lr x max(1e-4, (1 + cos(pi step / steps)) / 2), batch by batch.
        for group in optimizer.param_groups:
            group["lr"] = 1e-3 * max(1e-4, 0.5 * (1 + math.cos(math.pi * step_index / total_steps)))
        step_index += 1
        optimizer.zero_grad()
        logits = model(src, lengths, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[2]), tgt_out.reshape(-1), ignore_index=PAD, reduction="sum", label_smoothing=args.smoothing)
        n = sum(len(train_tgt[r]) + 1 for r in batch)
        t1 = time.perf_counter()
        (loss / n).backward()
        t2 = time.perf_counter()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        t3 = time.perf_counter()
        forward += t1 - t0
        backward += t2 - t1
        step += t3 - t2
        total += loss.item()
        count += n
    print(f"epoch {epoch}: loss {total / count:.4f}, {time.perf_counter() - start:.1f} s", flush=True)
    print(f"epoch {epoch} phases: forward {forward:.2f} s, backward {backward:.2f} s, clipping and optimiser {step:.2f} s", flush=True)

model.eval()
banned = [PAD, START]


def greedy(src):
    with torch.no_grad():
        s, lengths = padded([src])
        memory, keys, mask, state = model.encode(s, lengths)
        token, out = START, []
        for _ in range(80 + 1):
            feed, state, _ = model.step(model.tgt_emb(torch.tensor([token])), state, memory, keys, mask)
            logp = model.output(feed).log_softmax(1)[0]
            logp[banned] = float("-inf")
            if len(out) == 80:
                token = END
            else:
                token = int(logp.argmax())
            if token == END:
                return out
            out.append(token)
        return out


def beam_search(src, k, alpha):
    # The project's rules: 2k candidates by total log-probability; an end among the best k finishes a
    # hypothesis (scored log P / T^alpha, T counting the end); stop when k have finished.
    with torch.no_grad():
        s, lengths = padded([src])
        memory, keys, mask, state = model.encode(s, lengths)
        beams = [([], 0.0)]
        tokens = torch.tensor([START])
        finished = []
        while True:
            n = len(beams)
            feed, state, _ = model.step(model.tgt_emb(tokens), state, memory.expand(n, -1, -1), keys.expand(n, -1, -1), mask.expand(n, -1))
            logp = model.output(feed).log_softmax(1)
            logp[:, banned] = float("-inf")
            for i, (toks, _) in enumerate(beams):
                if len(toks) >= 80:
                    end = logp[i, END].clone()
                    logp[i] = float("-inf")
                    logp[i, END] = end
            totals = logp + torch.tensor([b[1] for b in beams]).unsqueeze(1)
            values, indices = totals.view(-1).topk(min(2 * k, totals.numel()))
            survivors = []
            for j, (v, idx) in enumerate(zip(values.tolist(), indices.tolist())):
                row, tok = divmod(idx, logp.shape[1])
                if tok == END:
                    if j < k:
                        toks = beams[row][0]
                        finished.append((toks, v / (len(toks) + 1) ** alpha))
                elif len(survivors) < k:
                    survivors.append((row, tok, v))
            if len(finished) >= k or not survivors:
                return max(finished, key=lambda f: f[1])[0] if finished else beams[0][0]
            rows = torch.tensor([r for r, _, _ in survivors])
            state = tuple(x.index_select(1, rows) for x in state) if isinstance(state, tuple) else state.index_select(1, rows)
            beams = [(beams[r][0] + [t], v) for r, t, v in survivors]
            tokens = torch.tensor([t for _, t, _ in survivors])
            memory, keys, mask = memory[:1], keys[:1], mask[:1]


def detokenize(ids):
    out = []
    for t in (tgt_tokens[i] for i in ids):
        if t.startswith(JOINER) and out:
            out[-1] += t[len(JOINER):]
        else:
            out.append(t[len(JOINER):] if t.startswith(JOINER) else t)
    return " ".join(out)


for name, decode in () if args.no_decode else (("greedy", greedy), ("beam", lambda s: beam_search(s, args.beam, args.alpha))):
    start = time.perf_counter()
    outputs = [detokenize(decode(s)) for s in test_src]
    seconds = time.perf_counter() - start
    print(f"decode {name} one sentence at a time: {len(test_src)} sentences in {seconds:.1f} s, {len(test_src) / seconds:.1f} sentences/s", flush=True)
    with open(f"{args.out}/test.{name}", "w", encoding="utf-8") as f:
        f.write("\n".join(outputs) + "\n")
