#!/usr/bin/env python3
"""Big-table benchmark (called by build/bench-big-table.sh): a generated word2vec binary table of ROWS x DIM
random vectors, loaded, saved, applied in an ML.NET pipeline and round-tripped through the model zip by ours;
loaded and saved by gensim's load_word2vec_format / save_word2vec_format on the same files. Every phase runs
in its own process (so its peak RSS is its own), ours and gensim alternating within each round; times are of
the phase inside the process (process start excluded). Prints the medians and the per-round ratios."""
import os
import re
import statistics
import subprocess
import sys

root, cache, rows, dim, rounds, text_rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
ours = ["dotnet", os.path.join(root, "build/bench/BigTable/bin/Release/net10.0/BigTable.dll")]
gensim = ["/usr/bin/python3", os.path.join(root, "build/bench/gensim_vectors.py")]
binary = os.path.join(cache, f"big-{rows}x{dim}.bin")
text = os.path.join(cache, f"big-{rows}x{dim}.txt")
out_bin = os.path.join(cache, "big-out.bin")
zip_path = os.path.join(cache, "big-model.zip")
limit = rows // 6


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    phases = {}
    for line in out.splitlines():
        m = re.match(r"(\S+) seconds=([\d.]+) peak_rss_mib=(\d+)(.*)", line)
        if m:
            phases[m.group(1)] = (float(m.group(2)), int(m.group(3)), m.group(4).strip())
    return phases


if not os.path.exists(binary):
    run(ours + ["generate", binary, str(rows), str(dim)])
table_mib = rows * dim * 4 / 2**20
print(f"table: {binary}, {rows:,} x {dim} ({os.path.getsize(binary) / 2**30:.2f} GiB on disk; the vectors alone are {table_mib:,.0f} MiB)")

results = {}


def add(name, who, value):
    results.setdefault(name, {}).setdefault(who, []).append(value)


for r in range(rounds):
    o = run(ours + ["load", binary]); add("load binary", "ours", o["load"])
    g = run(gensim + ["load", binary]); add("load binary", "gensim", g["load"])
    o = run(ours + ["load", binary, str(limit)]); add(f"load binary, limit {limit:,}", "ours", o["load"])
    g = run(gensim + ["load", binary, str(limit)]); add(f"load binary, limit {limit:,}", "gensim", g["load"])
    o = run(ours + ["save", binary, out_bin]); add("save binary", "ours", o["save"])
    g = run(gensim + ["save", binary, out_bin]); add("save binary", "gensim", g["save"])
    z = run(ours + ["zip", binary, zip_path])
    add("ApplyWordVectors + Transform of 10,000 rows", "ours", z["apply"])
    add("mlContext.Model.Save (zip)", "ours", z["zip-save"])
    u = run(ours + ["unzip", zip_path])
    add("mlContext.Model.Load (zip)", "ours", u["zip-load"])
    if u["apply"][2] != z["apply"][2]:
        sys.exit(f"the reloaded model scores differently: {u['apply'][2]} vs {z['apply'][2]}")
    print(f"round {r + 1} done; zip {int(z['zip-save'][2].split('=')[1]) / 2**30:.2f} GiB; reloaded model scores the same ({u['apply'][2]})", flush=True)

if text_rounds > 0:
    if not os.path.exists(text):
        run(ours + ["save", binary, text])
    print(f"text table: {text} ({os.path.getsize(text) / 2**30:.2f} GiB)", flush=True)
    for r in range(text_rounds):
        o = run(ours + ["load", text]); add("load text", "ours", o["load"])
        g = run(gensim + ["load", text]); add("load text", "gensim", g["load"])

print()
print("| phase | ours (s) | ours peak RSS (MiB) | gensim (s) | gensim peak RSS (MiB) | time ours / gensim, per round |")
print("|---|---|---|---|---|---|")
for name, by in results.items():
    o, g = by.get("ours", []), by.get("gensim", [])
    cell = lambda xs, i: f"{statistics.median(x[i] for x in xs):,.2f}" if i == 0 else f"{statistics.median(x[i] for x in xs):,.0f}"
    ratios = ", ".join(f"{a[0] / b[0]:.2f}" for a, b in zip(o, g)) if g else ""
    print(f"| {name} | {cell(o, 0)} | {cell(o, 1)} | {cell(g, 0) if g else '-'} | {cell(g, 1) if g else '-'} | {ratios} |")
