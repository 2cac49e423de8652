#!/usr/bin/env python3
"""t-SNE benchmark (called by build/bench-tsne.sh): MLNet.Sequence against scikit-learn's TSNE
(Barnes-Hut) on the same data, perplexity 30, same iterations: 2,500 points x 100 dims from 10
Gaussian clusters (numpy seed fixed) and, when given, the most frequent words of a vectors file.
Reports KL divergence, trustworthiness (10 neighbours, scikit-learn's function for both maps) and
wall time of the fit. Run with Debian's python3 (python3-sklearn)."""
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.manifold import TSNE, trustworthiness

root, iterations, words_file, top = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cli = ["dotnet", os.path.join(root, "src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll")]
tmp = tempfile.mkdtemp(prefix="tsne-bench-")


def gaussian_clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, size=(10, 100))
    return np.vstack([c + rng.normal(0, 1, size=(250, 100)) for c in centres]).astype(np.float32)


def write_vectors(x, path):
    with open(path, "w") as f:
        f.write(f"{x.shape[0]} {x.shape[1]}\n")
        for i, row in enumerate(x):
            f.write(f"p{i} " + " ".join(repr(float(v)) for v in row) + "\n")


def read_vectors(path, n):
    with open(path) as f:
        count, dim = map(int, f.readline().split())
        rows = [list(map(float, f.readline().split()[1:])) for _ in range(min(n, count))]
    return np.array(rows, dtype=np.float32)


def compare(name, x, vectors_path):
    t = time.perf_counter()
    sk = TSNE(n_components=2, perplexity=30, method="barnes_hut", angle=0.5, init="pca", learning_rate="auto",
              n_iter=iterations, random_state=0, n_jobs=2)
    y_sk = sk.fit_transform(x)
    sk_time = time.perf_counter() - t
    tw_sk = trustworthiness(x, y_sk, n_neighbors=10)

    out = os.path.join(tmp, "map.tsv")
    p = subprocess.run(cli + ["tsne", "-vectors", vectors_path, "-output", out, "-top", str(len(x)), "-perplexity", "30",
                              "-theta", "0.5", "-iter", str(iterations), "-trustworthiness", "0"],
                       check=True, capture_output=True, text=True).stdout
    kl = float(re.search(r"KL divergence: ([\d.]+)", p).group(1))
    our_time = float(re.search(r"Time: ([\d.]+) s", p).group(1))
    y = np.array([list(map(float, line.split("\t")[1:])) for line in open(out)], dtype=np.float32)
    tw = trustworthiness(x, y, n_neighbors=10)
    print(f"| {name} | {kl:.4f} | {sk.kl_divergence_:.4f} | {kl / sk.kl_divergence_:.3f} | {tw:.4f} | {tw_sk:.4f} | "
          f"{our_time:.1f} | {sk_time:.1f} | {our_time / sk_time:.2f} |", flush=True)


print(f"iterations {iterations}")
print("| data | KL ours | KL scikit-learn | ratio | trustworthiness ours | scikit-learn | time ours (s) | scikit-learn (s) | ratio |")
print("|---|---|---|---|---|---|---|---|---|")
x = gaussian_clusters()
path = os.path.join(tmp, "clusters.txt")
write_vectors(x, path)
compare("10 Gaussian clusters, 2,500 x 100", x, path)
if words_file and os.path.exists(words_file):
    compare(f"{top} most frequent words", read_vectors(words_file, top), words_file)
