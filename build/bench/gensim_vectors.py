#!/usr/bin/env python3
"""gensim's side of the big-table benchmark (called by build/bench/big_table.py), one phase per process:
  load PATH [LIMIT]   KeyedVectors.load_word2vec_format (binary for .bin)
  save PATH OUT       load, then save_word2vec_format (binary for .bin)
Prints "phase seconds=S peak_rss_mib=M" like the .NET harness (peak RSS from getrusage, whole process)."""
import resource
import sys
import time

from gensim.models import KeyedVectors


def report(phase, seconds, extra=""):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{phase} seconds={seconds:.2f} peak_rss_mib={peak} {extra}".rstrip(), flush=True)


phase, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
limit = int(sys.argv[3]) if phase == "load" and len(sys.argv) > 3 else None
kv = KeyedVectors.load_word2vec_format(path, binary=path.endswith(".bin"), limit=limit)
report("load", time.perf_counter() - start, f"words={len(kv.index_to_key)}")
if phase == "save":
    out = sys.argv[3]
    start = time.perf_counter()
    kv.save_word2vec_format(out, binary=out.endswith(".bin"))
    report("save", time.perf_counter() - start)
