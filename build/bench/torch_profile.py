#!/usr/bin/env python3
"""PyTorch's side of build/bench-torch-profile.sh: the same per-call measurements as build/bench/TorchProfile
("calls"), and the same classifier epoch timed phase by phase ("epoch"), printing "name value unit" lines.
usage: torch_profile.py calls THREADS | epoch GENRE.tsv THREADS"""
import csv
import random
import sys
import time
from collections import Counter

import torch
from torch import nn

threads = int(sys.argv[-1])
torch.set_num_threads(threads)


def timed(name, calls, call):
    for _ in range(calls // 10):
        call()
    start = time.perf_counter()
    for _ in range(calls):
        call()
    print(f"{name} {(time.perf_counter() - start) * 1e6 / calls:.2f} us")


def calls():
    with torch.no_grad():
        x = torch.zeros(1)
        timed("add-one-value", 20_000, lambda: x.add_(1))
        for name, rows, vocabulary in (("decoder-step-1x1000", 1, 1000), ("decoder-step-160x10000", 160, 10000)):
            embedding, cell, output = nn.Embedding(vocabulary, 256), nn.LSTMCell(256, 256), nn.Linear(256, vocabulary)
            state = {"ids": torch.zeros(rows, dtype=torch.long), "h": torch.zeros(rows, 256), "c": torch.zeros(rows, 256)}

            def step():
                h, c = cell(embedding(state["ids"]), (state["h"], state["c"]))
                _, best = output(h).log_softmax(1).topk(5)
                state.update(ids=best[:, 0], h=h, c=c)

            timed(name, 2_000 if rows == 1 else 200, step)


def epoch(path):
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
    counts = Counter(t for r in rows for t in r)
    vocab = {w: i + 4 for i, (w, _) in enumerate(sorted(counts.items(), key=lambda p: (-p[1], p[0])))}
    ids = [[vocab[t] for t in r] for r in rows]
    y = [classes.index(l) for l in labels]
    embedding = nn.Embedding(len(vocab) + 4, 100, padding_idx=0)
    lstm = nn.LSTM(100, 128, batch_first=True, bidirectional=True)
    dropout, output = nn.Dropout(0.2), nn.Linear(256, len(classes))
    parameters = list(embedding.parameters()) + list(lstm.parameters()) + list(output.parameters())
    optimizer = torch.optim.Adam(parameters, lr=2e-3)
    order = list(range(len(ids)))
    random.shuffle(order)
    batches = []
    for start in range(0, len(order), 32 * 50):
        chunk = sorted(order[start:start + 32 * 50], key=lambda i: len(ids[i]))
        batches += [chunk[i:i + 32] for i in range(0, len(chunk), 32)]
    random.shuffle(batches)
    phases = dict.fromkeys(["batch-tensors", "forward", "backward", "clipping", "optimiser-step", "loss-read-back"], 0.0)
    epoch_start = time.perf_counter()
    for batch in batches:
        t = time.perf_counter()
        longest = max(len(ids[i]) for i in batch)
        x = torch.zeros(len(batch), longest, dtype=torch.long)
        for b, i in enumerate(batch):
            x[b, :len(ids[i])] = torch.tensor(ids[i])
        lengths = torch.tensor([len(ids[i]) for i in batch])
        target = torch.tensor([y[i] for i in batch])
        t2 = time.perf_counter(); phases["batch-tensors"] += t2 - t; t = t2
        optimizer.zero_grad()
        packed = nn.utils.rnn.pack_padded_sequence(embedding(x), lengths, batch_first=True, enforce_sorted=False)
        out, _ = lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=longest)
        logits = output(dropout(out.masked_fill(x.eq(0).unsqueeze(2), float("-inf")).amax(dim=1)))
        loss = nn.functional.cross_entropy(logits, target, reduction="sum")
        t2 = time.perf_counter(); phases["forward"] += t2 - t; t = t2
        (loss / len(batch)).backward()
        t2 = time.perf_counter(); phases["backward"] += t2 - t; t = t2
        nn.utils.clip_grad_norm_(parameters, 5.0)
        t2 = time.perf_counter(); phases["clipping"] += t2 - t; t = t2
        optimizer.step()
        t2 = time.perf_counter(); phases["optimiser-step"] += t2 - t; t = t2
        loss.item()
        phases["loss-read-back"] += time.perf_counter() - t
    print(f"epoch {time.perf_counter() - epoch_start:.2f} s")
    for name, seconds in phases.items():
        print(f"{name} {seconds:.2f} s")


if sys.argv[1] == "calls":
    calls()
else:
    epoch(sys.argv[2])
