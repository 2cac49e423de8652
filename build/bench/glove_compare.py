#!/usr/bin/env python3
"""GloVe benchmark (called by build/bench-glove.sh): MLNet.Sequence against Stanford's reference tools
(vocab_count, cooccur, shuffle, glove, built by the user) on one corpus with identical settings, runs
alternating. Reports per-phase and total times, analogy accuracy and WordSim-353 rho of both (scored
by the same evaluator), and peak memory of co-occurrence counting against the configured limit."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

root, corpus, evals, glove_dir, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
cli = ["dotnet", os.path.join(root, "src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll")]
questions = os.path.join(evals, "questions-words.txt")
wordsim = os.path.join(evals, "wordsim353.tsv")
MIN_COUNT, WINDOW, DIM, ITER, XMAX, THREADS, MEMORY = 5, 10, 100, 15, 10, 2, 4.0
tmp = tempfile.mkdtemp(prefix="glove-bench-")


def run(cmd, stdin=None, stdout=None):
    return subprocess.run(cmd, check=True, stdin=stdin, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=stdout is None)


def timed(cmd, stdin_path=None, stdout_path=None):
    """Runs a command under /usr/bin/time; returns (seconds, peak RSS in MiB)."""
    fin = open(stdin_path, "rb") if stdin_path else None
    fout = open(stdout_path, "wb") if stdout_path else None
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "MAXRSS %M"] + cmd, stdin=fin, stdout=fout or subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    seconds = time.perf_counter() - t
    for f in (fin, fout):
        if f:
            f.close()
    rss = int(re.search(rb"MAXRSS (\d+)", p.stderr).group(1)) / 1024
    return seconds, rss


def score(vectors):
    a = run(cli + ["eval-analogy", questions, "-vectors", vectors]).stdout
    s = run(cli + ["eval-similarity", wordsim, "-vectors", vectors]).stdout
    return float(re.search(r"Total accuracy: ([\d.]+)%", a).group(1)), float(re.search(r"Spearman rho: (-?[\d.]+)", s).group(1))


def stanford(seed):
    g = lambda tool: os.path.join(glove_dir, tool)
    vocab, cooc, shuf, save = (os.path.join(tmp, n) for n in ("vocab.txt", "cooc.bin", "cooc.shuf.bin", "ref"))
    t_vocab, _ = timed([g("vocab_count"), "-min-count", str(MIN_COUNT), "-verbose", "0"], corpus, vocab)
    t_cooc, rss_cooc = timed([g("cooccur"), "-memory", str(MEMORY), "-vocab-file", vocab, "-verbose", "0", "-window-size", str(WINDOW),
                              "-overflow-file", os.path.join(tmp, "overflow")], corpus, cooc)
    t_shuf, _ = timed([g("shuffle"), "-memory", str(MEMORY), "-verbose", "0", "-seed", str(seed), "-temp-file", os.path.join(tmp, "temp_shuffle")], cooc, shuf)
    t_train, _ = timed([g("glove"), "-save-file", save, "-threads", str(THREADS), "-input-file", shuf, "-x-max", str(XMAX), "-iter", str(ITER),
                        "-vector-size", str(DIM), "-vocab-file", vocab, "-verbose", "0", "-model", "2"])
    for f in (cooc, shuf):
        os.remove(f)
    return dict(vocab=t_vocab, cooc=t_cooc, shuf=t_shuf, train=t_train, total=t_vocab + t_cooc + t_shuf + t_train, rss=rss_cooc, vectors=save + ".txt")


def ours(seed, memory=MEMORY):
    out = os.path.join(tmp, "ours.txt")
    p = run(cli + ["glove", "-train", corpus, "-output", out, "-vocab-min-count", str(MIN_COUNT), "-window-size", str(WINDOW),
                   "-vector-size", str(DIM), "-iter", str(ITER), "-x-max", str(XMAX), "-threads", str(THREADS), "-memory", str(memory),
                   "-seed", str(seed)]).stdout
    num = lambda label: float(re.search(label + r": ([\d.]+)", p).group(1))
    return dict(vocab=num("Vocabulary"), cooc=num("Co-occurrence"), shuf=num("Shuffle"), train=num("Training"), total=num("Total"),
                rss=num("Peak memory after counting"), vectors=out)


rows = []
for r in range(rounds):
    seed = r + 1
    pair = {}
    for who in (("ours", "ref") if r % 2 == 0 else ("ref", "ours")):
        res = ours(seed) if who == "ours" else stanford(seed)
        res["acc"], res["rho"] = score(res["vectors"])
        pair[who] = res
    rows.append(pair)
    o, s = pair["ours"], pair["ref"]
    print(f"round {r + 1}: total ours {o['total']:.1f} s ({o['vocab']:.1f}+{o['cooc']:.1f}+{o['shuf']:.1f}+{o['train']:.1f}) | "
          f"Stanford {s['total']:.1f} s ({s['vocab']:.1f}+{s['cooc']:.1f}+{s['shuf']:.1f}+{s['train']:.1f}) | ratio {o['total'] / s['total']:.2f} | "
          f"analogy {o['acc']:.2f}% vs {s['acc']:.2f}% | rho {o['rho']:.4f} vs {s['rho']:.4f}", flush=True)

med = lambda who, k: statistics.median(r[who][k] for r in rows)
print()
print("| | ours | Stanford GloVe | ours / Stanford |")
print("|---|---|---|---|")
for k, label in (("vocab", "vocabulary (s)"), ("cooc", "co-occurrence (s)"), ("shuf", "shuffle (s)"), ("train", "training (s)"), ("total", "total (s)")):
    print(f"| {label} | {med('ours', k):.2f} | {med('ref', k):.2f} | {med('ours', k) / med('ref', k):.2f} |")
print(f"| analogy accuracy | {med('ours', 'acc'):.2f}% | {med('ref', 'acc'):.2f}% | {med('ours', 'acc') - med('ref', 'acc'):+.2f} points |")
print(f"| WordSim-353 rho | {med('ours', 'rho'):.4f} | {med('ref', 'rho'):.4f} | {med('ours', 'rho') - med('ref', 'rho'):+.4f} |")
print("Per-round total ratios: " + ", ".join(f"{r['ours']['total'] / r['ref']['total']:.2f}" for r in rows))
print(f"Peak RSS of co-occurrence counting with -memory {MEMORY}: ours {med('ours', 'rss'):.0f} MiB (whole process), Stanford cooccur {med('ref', 'rss'):.0f} MiB")
for limit in (0.5, 0.25):
    r = ours(1, memory=limit)
    print(f"With -memory {limit} ({limit * 1024:.0f} MiB): ours peak {r['rss']:.0f} MiB (whole .NET process) after counting")
