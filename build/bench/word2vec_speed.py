#!/usr/bin/env python3
"""Word2Vec speed benchmark (called by build/bench-word2vec.sh): MLNet.Sequence against gensim and,
when given, word2vec.c, on one corpus file with identical settings, runs alternating, 2 threads each.

words/s = corpus tokens x epochs / (vocabulary building + training), excluding process start:
  ours:        the CLI's own timings (vocabulary pass + training passes)
  gensim:      build_vocab + train, timed inside the Python process
  word2vec.c:  the whole process (its start is a few ms), with -binary 1 so that writing is negligible
Also: vocabulary building alone (ours vs gensim build_vocab), peak RSS on the corpus x1 vs x10 with the
same vocabulary, and ours on 1 vs 2 threads."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

root, corpus1, corpus10, rounds, w2v = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
cli = ["dotnet", os.path.join(root, "src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll")]
gensim = ["/usr/bin/python3", os.path.join(root, "build/bench/gensim_word2vec.py")]
tmp = tempfile.mkdtemp(prefix="w2v-speed-")
tokens10 = sum(len(line.split()) for line in open(corpus10, encoding="utf-8"))
common = ["-size", "100", "-window", "5", "-sample", "1e-3", "-min-count", "5", "-iter", "1", "-alpha", "0.025"]
configs = {
    "skip-gram, negative 5": ["-cbow", "0", "-negative", "5", "-hs", "0"],
    "CBOW, negative 5": ["-cbow", "1", "-negative", "5", "-hs", "0"],
    "skip-gram, hierarchical softmax": ["-cbow", "0", "-negative", "0", "-hs", "1"],
}


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def ours(args, corpus=corpus10, threads="2"):
    out = run(cli + ["word2vec", "-train", corpus, "-output", os.path.join(tmp, "ours.bin"), "-binary", "1",
                     "-threads", threads] + args).stdout
    vocab = float(re.search(r"Vocabulary: ([\d.]+) s", out).group(1))
    train = float(re.search(r"Training: ([\d.]+) s", out).group(1))
    return vocab, vocab + train


def theirs(args):
    g = json.loads(run(gensim + ["-train", corpus10, "-output", os.path.join(tmp, "gensim.txt"), "-threads", "2"] + args)
                   .stdout.strip().splitlines()[-1])
    return g["vocab_seconds"], g["vocab_seconds"] + g["train_seconds"]


def word2vec_c(args):
    t = time.perf_counter()
    run([w2v, "-train", corpus10, "-output", os.path.join(tmp, "w2v.bin"), "-binary", "1", "-threads", "2", "-debug", "0"] + args)
    return time.perf_counter() - t


def peak_rss_mb(cmd):
    err = run(["/usr/bin/time", "-f", "MAXRSS %M"] + cmd).stderr
    return int(re.search(r"MAXRSS (\d+)", err).group(1)) / 1024


print(f"corpus {corpus10}: {tokens10:,} tokens; {rounds} rounds; word2vec.c: {w2v or 'not given'}", flush=True)
table = []
vocab_times = []
for name, args in configs.items():
    runs = []
    for r in range(rounds):
        row = {}
        order = ["ours", "gensim", "w2v"] if r % 2 == 0 else ["w2v", "gensim", "ours"]
        for who in order:
            if who == "ours":
                row["ours_vocab"], row["ours"] = ours(common + args)
            elif who == "gensim":
                row["gensim_vocab"], row["gensim"] = theirs(common + args)
            elif w2v:
                row["w2v"] = word2vec_c(common + args)
        runs.append(row)
        vocab_times.append((row["ours_vocab"], row["gensim_vocab"]))
        line = f"{name:32} round {r + 1}: ours {tokens10 / row['ours']:>10,.0f} w/s  gensim {tokens10 / row['gensim']:>10,.0f} w/s  ratio {row['gensim'] / row['ours']:.2f}"
        if w2v:
            line += f"  word2vec.c {tokens10 / row['w2v']:>10,.0f} w/s  ratio {row['w2v'] / row['ours']:.2f}"
        print(line, flush=True)
    table.append((name, runs))

print()
print("| settings | ours (words/s) | gensim | ours / gensim, per run | word2vec.c | ours / word2vec.c, per run |")
print("|---|---|---|---|---|---|")
for name, runs in table:
    med = lambda k: statistics.median(tokens10 / r[k] for r in runs)
    g = ", ".join(f"{r['gensim'] / r['ours']:.2f}" for r in runs)
    w = (f"{med('w2v'):,.0f} | " + ", ".join(f"{r['w2v'] / r['ours']:.2f}" for r in runs)) if w2v else "not run | -"
    print(f"| {name} | {med('ours'):,.0f} | {med('gensim'):,.0f} | {g} | {w} |")

ov, gv = statistics.median(v[0] for v in vocab_times), statistics.median(v[1] for v in vocab_times)
print(f"\nVocabulary building (count, prune, sort) on the x10 corpus, median of {len(vocab_times)}: ours {ov:.2f} s, gensim build_vocab {gv:.2f} s, ratio {gv / ov:.2f}")

sg = common + configs["skip-gram, negative 5"]
one = statistics.median(tokens10 / ours(sg, threads="1")[1] for _ in range(2))
two = statistics.median(tokens10 / ours(sg, threads="2")[1] for _ in range(2))
print(f"Threads (skip-gram, negative 5, x10 corpus): 1 thread {one:,.0f} words/s, 2 threads {two:,.0f} words/s, scaling {two / one:.2f}x")

# Same vocabulary on both corpora: every word of x1 appears 10 times in x10.
base = ["-size", "100", "-window", "5", "-sample", "1e-3", "-iter", "1", "-threads", "2", "-cbow", "0", "-negative", "5", "-binary", "1"]
rss1 = peak_rss_mb(cli + ["word2vec", "-train", corpus1, "-output", os.path.join(tmp, "m1.bin"), "-min-count", "1"] + base)
rss10 = peak_rss_mb(cli + ["word2vec", "-train", corpus10, "-output", os.path.join(tmp, "m10.bin"), "-min-count", "10"] + base)
print(f"Peak RSS (same 49,815-word vocabulary): corpus x1 {rss1:.0f} MB, corpus x10 {rss10:.0f} MB, ratio {rss10 / rss1:.3f}")
