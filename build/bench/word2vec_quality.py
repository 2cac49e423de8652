#!/usr/bin/env python3
"""Word2Vec quality benchmark: MLNet.Sequence against gensim on the same corpus file, same settings,
same seeds, alternating runs. Both sets of vectors are scored by the same evaluator (mlnet-seq's,
which matches gensim's evaluate_word_analogies / evaluate_word_pairs); gensim's own evaluator is
also run on every gensim model as a cross-check. Prints a table of medians and per-seed numbers.
Called by build/bench-word2vec-quality.sh."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

root, corpus, evals, seeds = sys.argv[1], sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4].split(",")]
cli = ["dotnet", os.path.join(root, "src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll")]
questions = os.path.join(evals, "questions-words.txt")
wordsim = os.path.join(evals, "wordsim353.tsv")
settings = ["-size", "100", "-window", "5", "-negative", "5", "-sample", "1e-3", "-min-count", "5",
            "-iter", "5", "-threads", "2", "-alpha", "0.025", "-hs", "0"]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def score(vectors):
    analogy = run(cli + ["eval-analogy", questions, "-vectors", vectors])
    acc = float(re.search(r"Total accuracy: ([\d.]+)%", analogy).group(1))
    sim = run(cli + ["eval-similarity", wordsim, "-vectors", vectors])
    rho = float(re.search(r"Spearman rho: (-?[\d.]+)", sim).group(1))
    return acc, rho


def gensim_own_score(vectors):
    code = ("import sys, logging; logging.disable(logging.WARNING)\n"
            "from gensim.models import KeyedVectors\n"
            "kv = KeyedVectors.load_word2vec_format(sys.argv[1])\n"
            "acc, _ = kv.evaluate_word_analogies(sys.argv[2])\n"
            "rho = kv.evaluate_word_pairs(sys.argv[3])[1][0]\n"
            "print(acc * 100, rho)")
    out = run(["/usr/bin/python3", "-c", code, vectors, questions, wordsim]).split()
    return float(out[0]), float(out[1])


tmp = tempfile.mkdtemp(prefix="w2v-quality-")
rows = []
for model, cbow in (("skip-gram", "0"), ("cbow", "1")):
    for seed in seeds:
        ours = os.path.join(tmp, f"ours-{model}-{seed}.txt")
        out = run(cli + ["word2vec", "-train", corpus, "-output", ours, "-cbow", cbow, "-seed", str(seed)] + settings)
        ours_wps = float(re.search(r"Words/sec: (\d+)", out).group(1))
        theirs = os.path.join(tmp, f"gensim-{model}-{seed}.txt")
        g = json.loads(run(["/usr/bin/python3", os.path.join(root, "build/bench/gensim_word2vec.py"), "-train", corpus,
                            "-output", theirs, "-cbow", cbow, "-seed", str(seed)] + settings).strip().splitlines()[-1])
        oa, orho = score(ours)
        ga, grho = score(theirs)
        ga_own, grho_own = gensim_own_score(theirs)
        rows.append(dict(model=model, seed=seed, ours_acc=oa, ours_rho=orho, gensim_acc=ga, gensim_rho=grho,
                         gensim_own_acc=ga_own, gensim_own_rho=grho_own, ours_wps=ours_wps, gensim_wps=g["words_per_sec"]))
        r = rows[-1]
        print(f"{model:9} seed {seed}: analogy ours {oa:5.2f}% gensim {ga:5.2f}% (gensim's evaluator {ga_own:5.2f}%) | "
              f"rho ours {orho:.4f} gensim {grho:.4f} ({grho_own:.4f}) | words/s ours {ours_wps:,.0f} gensim {g['words_per_sec']:,.0f}",
              flush=True)

print()
print("| model | analogy acc. ours | analogy acc. gensim | diff (points) | WS-353 rho ours | rho gensim | diff | words/s ours | words/s gensim |")
print("|---|---|---|---|---|---|---|---|---|")
for model in ("skip-gram", "cbow"):
    rs = [r for r in rows if r["model"] == model]
    med = lambda k: statistics.median(r[k] for r in rs)
    print(f"| {model} | {med('ours_acc'):.2f}% | {med('gensim_acc'):.2f}% | {med('ours_acc') - med('gensim_acc'):+.2f} | "
          f"{med('ours_rho'):.4f} | {med('gensim_rho'):.4f} | {med('ours_rho') - med('gensim_rho'):+.4f} | "
          f"{med('ours_wps'):,.0f} | {med('gensim_wps'):,.0f} |")
