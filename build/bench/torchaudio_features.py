#!/usr/bin/env python3
"""torchaudio's side of build/bench-audio-features.sh: the same files read (torchaudio.load) and turned into the same
40-band log-mel spectrograms in dB (MelSpectrogram n_fft 200, hop 80, HTK scale, power 2, centred with reflection
padding; AmplitudeToDB top_db 80) as build/bench/FeatureSpeed, one file at a time; best of ROUNDS.
usage: torchaudio_features.py LIST ROUNDS THREADS"""
import sys
import time

import torch
import torchaudio

paths = [line for line in open(sys.argv[1]).read().splitlines() if line]
rounds, threads = int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
RATE = 8000
mel = torchaudio.transforms.MelSpectrogram(sample_rate=RATE, n_fft=200, hop_length=80, n_mels=40)
to_db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=80)
signals = [torchaudio.load(p)[0].mean(0) for p in paths]
seconds = sum(s.numel() for s in signals) / RATE
best_pipeline = best_features = float("inf")
with torch.inference_mode():
    for round in range(rounds + 1):
        start = time.perf_counter()
        frames = 0
        for p in paths:
            frames += to_db(mel(torchaudio.load(p)[0].mean(0))).shape[-1]
        pipeline = time.perf_counter() - start
        start = time.perf_counter()
        for s in signals:
            to_db(mel(s))
        features = time.perf_counter() - start
        if round > 0:
            best_pipeline, best_features = min(best_pipeline, pipeline), min(best_features, features)
print(f"{len(paths)} files, {seconds:.1f} s of audio, {frames:,} frames ({threads} threads)")
print(f"read+logmel: {best_pipeline:.3f} s, {seconds / best_pipeline:.0f}x real time")
print(f"logmel: {best_features:.3f} s, {seconds / best_features:.0f}x real time")
