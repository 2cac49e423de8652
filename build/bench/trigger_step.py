#!/usr/bin/env python3
"""PyTorch's side of build/bench-trigger-speed.sh: the same trigger-word model (the course's Conv1d(101 -> 196, 15,
stride 4) + BatchNorm + ReLU + dropout, GRU 128, dropout, BatchNorm, GRU 128, dropout, BatchNorm, dropout, a logit per
step), data, batch size, optimiser (Adam 1e-3) and clipping (norm 5) as build/bench/TriggerStep, two epochs, printing
the second epoch's time per step.
usage: trigger_step.py DIR STEPS THREADS"""
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
BATCH, FRAMES, FEATURES, STEPS = 16, 5511, 101, 1375
features = torch.from_numpy(np.fromfile(f"{directory}/features.f32", dtype="<f4").reshape(-1, FRAMES, FEATURES))
labels = torch.from_numpy(np.fromfile(f"{directory}/labels.f32", dtype="<f4").reshape(-1, STEPS))
assert features.shape[0] == labels.shape[0] == steps * BATCH
features = (features - features.mean((0, 1))) / features.std((0, 1))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(FEATURES, 196, 15, stride=4)
        self.conv_norm = nn.BatchNorm1d(196)
        self.first = nn.GRU(196, 128, batch_first=True)
        self.first_norm = nn.BatchNorm1d(128)
        self.second = nn.GRU(128, 128, batch_first=True)
        self.second_norm = nn.BatchNorm1d(128)
        self.output = nn.Linear(128, 1)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        x = self.dropout(torch.relu(self.conv_norm(self.conv(x.transpose(1, 2)))).transpose(1, 2))
        x, _ = self.first(x)
        x = self.first_norm(self.dropout(x).transpose(1, 2)).transpose(1, 2)
        x, _ = self.second(x)
        x = self.dropout(self.second_norm(self.dropout(x).transpose(1, 2)).transpose(1, 2))
        return self.output(x).squeeze(-1)


model = Model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_function = nn.BCEWithLogitsLoss()
for epoch in (1, 2):
    order = list(range(features.shape[0]))
    random.shuffle(order)
    start = time.perf_counter()
    total = 0.0
    for s in range(steps):
        batch = order[s * BATCH:(s + 1) * BATCH]
        loss = loss_function(model(features[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        total += loss.item()
    seconds = time.perf_counter() - start
    print(f"epoch {epoch}: loss {total / steps:.4f}, {seconds:.2f} s, {seconds / steps:.3f} s/step")
