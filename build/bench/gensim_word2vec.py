#!/usr/bin/env python3
"""Reference run for the Word2Vec benchmarks: trains gensim's Word2Vec on a text file (one sentence
per line) with word2vec.c-style settings and writes the vectors in word2vec text format, printing
vocabulary and training time and words/s as one line of JSON. Run it with Debian's python3
(python3-gensim); the pyenv python3 that may come first on PATH lacks gensim."""
import argparse
import json
import logging
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

p = argparse.ArgumentParser()
p.add_argument("-train", required=True)
p.add_argument("-output", required=True)
p.add_argument("-size", type=int, default=100)
p.add_argument("-window", type=int, default=5)
p.add_argument("-sample", type=float, default=1e-3)
p.add_argument("-hs", type=int, default=0)
p.add_argument("-negative", type=int, default=5)
p.add_argument("-threads", type=int, default=2)
p.add_argument("-iter", type=int, default=5)
p.add_argument("-min-count", type=int, default=5, dest="min_count")
p.add_argument("-alpha", type=float, default=0.025)
p.add_argument("-cbow", type=int, default=0)
p.add_argument("-seed", type=int, default=1)
a = p.parse_args()

logging.basicConfig(level=logging.WARNING)
model = Word2Vec(vector_size=a.size, window=a.window, sample=a.sample, hs=a.hs, negative=a.negative,
                 workers=a.threads, epochs=a.iter, min_count=a.min_count, alpha=a.alpha,
                 sg=0 if a.cbow else 1, seed=a.seed)
corpus = LineSentence(a.train)
t0 = time.perf_counter()
model.build_vocab(corpus)
t1 = time.perf_counter()
words, _ = model.train(corpus, total_examples=model.corpus_count, epochs=a.iter)
t2 = time.perf_counter()
model.wv.save_word2vec_format(a.output, binary=False)
print(json.dumps({"vocab": len(model.wv), "vocab_seconds": t1 - t0, "train_seconds": t2 - t1,
                  "words": model.corpus_total_words * a.iter, "words_per_sec": model.corpus_total_words * a.iter / (t2 - t1)}))
