#!/usr/bin/env python3
"""PyTorch's side of build/bench-speech-speed.sh: the same CTC model, data, batch size, optimiser and clipping as
build/bench/SpeechStep, two epochs, printing the second epoch's time per step. The GRU runs unpacked, its fastest
form, since every row has the same 300 frames.
usage: ctc_step.py DIR STEPS THREADS"""
import random
import sys
import time

import numpy as np
import torch
from torch import nn

directory, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(1)
random.seed(1)
BATCH, FRAMES, FEATURES = 16, 300, 80
features = torch.from_numpy(np.fromfile(f"{directory}/features.f32", dtype="<f4").reshape(-1, FRAMES, FEATURES))
texts = open(f"{directory}/targets.txt", encoding="utf-8").read().splitlines()
assert len(texts) == steps * BATCH == features.shape[0]
units = ["<blank>", " "] + sorted({c for t in texts for c in t} - {" "})
index = {u: i for i, u in enumerate(units)}
targets = [torch.tensor([index[c] for c in t]) for t in texts]
features = (features - features.mean((0, 1))) / features.std((0, 1))


class Model(nn.Module):
    def __init__(self, units):
        super().__init__()
        self.front = nn.Sequential(
            nn.Conv1d(FEATURES, 256, 5, stride=2, padding=2, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
            nn.Conv1d(256, 256, 5, padding=2, bias=False), nn.BatchNorm1d(256), nn.ReLU())
        self.rnn = nn.GRU(256, 256, num_layers=3, bidirectional=True, batch_first=True)
        self.output = nn.Linear(512, units)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        x = self.dropout(self.front(x.transpose(1, 2)).transpose(1, 2))
        hidden, _ = self.rnn(x)
        return self.output(self.dropout(hidden)).log_softmax(-1)


model = Model(len(units))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
out_frames = (FRAMES + 4 - 5) // 2 + 1
for epoch in (1, 2):
    order = list(range(len(texts)))
    random.shuffle(order)
    start = time.perf_counter()
    total = 0.0
    for s in range(steps):
        batch = order[s * BATCH:(s + 1) * BATCH]
        x = features[batch]
        y = torch.cat([targets[i] for i in batch])
        y_lengths = torch.tensor([len(targets[i]) for i in batch])
        log_probs = model(x)
        losses = nn.functional.ctc_loss(log_probs.transpose(0, 1), y, torch.full((len(batch),), out_frames, dtype=torch.long),
                                        y_lengths, blank=0, reduction="none", zero_infinity=True)
        loss = (losses / y_lengths).mean()
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        total += loss.item()
    seconds = time.perf_counter() - start
    print(f"epoch {epoch}: loss {total / steps:.4f}, {seconds:.2f} s, {seconds / steps:.3f} s/step")
