"""Time per epoch of the biLSTM sequence classifier in PyTorch, for comparison with MLNet.Sequence's
SequenceClassifierTrainer on the same data, batch size, model and threads (build/bench-sequence-speed.sh).

Same as ours: whitespace tokens, lower-cased, the first 300 of each row; vocabulary of every training
token ordered by count; batches of 32 rows of similar length (pools of 50 batches sorted by length);
Embedding(V, 100, padding_idx=0) -> bidirectional LSTM(128), packed -> outputs max-pooled over each
row's steps -> dropout 0.2 -> Linear; Adam lr 2e-3, gradient norm clipped at 5, summed loss divided by the batch size.

usage: python3 torch_classifier_speed.py <brown-genre.tsv|spam.tsv> <epochs> <threads>
"""
import csv
import random
import sys
import time
from collections import Counter

import torch
from torch import nn

path, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(1)
random.seed(1)

rows, labels = [], []
with open(path, encoding="utf-8") as f:
    reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
    next(reader)
    for split, _, label, text in reader:
        if split == "train":
            rows.append(text.lower().split()[:300])
            labels.append(label)
classes = sorted(set(labels))
binary = len(classes) == 2
counts = Counter(t for r in rows for t in r)
vocab = {w: i + 4 for i, (w, _) in enumerate(sorted(counts.items(), key=lambda p: (-p[1], p[0])))}
ids = [[vocab[t] for t in r] for r in rows]
y = [classes.index(l) for l in labels]


class Classifier(nn.Module):
    def __init__(self, vocab_size, outputs):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 100, padding_idx=0)
        self.lstm = nn.LSTM(100, 128, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(0.2)
        self.output = nn.Linear(256, outputs)

    def forward(self, x, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
        outputs, _ = self.lstm(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=x.shape[1])
        pooled = outputs.masked_fill(x.eq(0).unsqueeze(2), float("-inf")).amax(dim=1)
        return self.output(self.dropout(pooled))


model = Classifier(len(vocab) + 4, 1 if binary else len(classes))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)


def batches():
    order = list(range(len(ids)))
    random.shuffle(order)
    result = []
    pool = 32 * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: len(ids[i]))
        result += [chunk[i:i + 32] for i in range(0, len(chunk), 32)]
    random.shuffle(result)
    return result


for epoch in range(1, epochs + 1):
    model.train()
    start = time.perf_counter()
    total = 0.0
    for batch in batches():
        longest = max(len(ids[i]) for i in batch)
        x = torch.zeros(len(batch), longest, dtype=torch.long)
        for b, i in enumerate(batch):
            x[b, :len(ids[i])] = torch.tensor(ids[i])
        lengths = torch.tensor([len(ids[i]) for i in batch])
        optimizer.zero_grad()
        logits = model(x, lengths)
        if binary:
            loss = nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), torch.tensor([float(y[i]) for i in batch]), reduction="sum")
        else:
            loss = nn.functional.cross_entropy(logits, torch.tensor([y[i] for i in batch]), reduction="sum")
        (loss / len(batch)).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        total += loss.item()
    seconds = time.perf_counter() - start
    print(f"pytorch {torch.__version__} epoch {epoch}: loss {total / len(ids):.4f}, {seconds:.1f} s", flush=True)
