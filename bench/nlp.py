"""NLP benchmark: the entity stage's throughput per language (articles/s, chars/s) and
peak memory, next to ginza's full pipeline on the same Japanese text as the baseline.

Articles are ~1,000 characters, built from the evaluation corpus of that language.

    python -m bench.nlp --articles 200
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import spacy

from nlp.entities import EntityRecognizer
from nlp.evaluate import load_corpus

CORPUS = Path(__file__).parents[1] / "tests" / "corpus" / "articles.yaml"


def articles_for(lang: str, n: int) -> list[str]:
    bodies = [a.title + "\n" + a.body for a in load_corpus(CORPUS) if a.lang.startswith(lang)]
    out = []
    for i in range(n):
        text = ""
        j = i
        while len(text) < 1000:
            text += bodies[j % len(bodies)] + "\n"
            j += 1
        out.append(text[:1000])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    recognizer = EntityRecognizer()
    for lang in ("ja", "zh-Hans", "en"):
        texts = articles_for(lang[:2], args.articles)
        recognizer.find(texts[0], lang)  # load the pipeline outside the timing
        t0 = time.perf_counter()
        for text in texts:
            recognizer.find(text, lang)
        elapsed = time.perf_counter() - t0
        chars = sum(map(len, texts))
        print(
            f"entity stage {lang:8}: {len(texts) / elapsed:7.1f} articles/s  "
            f"{chars / elapsed:9,.0f} chars/s"
        )
    ginza = spacy.load("ja_ginza")
    texts = articles_for("ja", 20)
    t0 = time.perf_counter()
    for doc in ginza.pipe(texts):
        _ = doc.ents
    elapsed = time.perf_counter() - t0
    print(
        f"baseline ja_ginza full : {len(texts) / elapsed:7.1f} articles/s  "
        f"{sum(map(len, texts)) / elapsed:9,.0f} chars/s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB (all pipelines loaded)")


if __name__ == "__main__":
    main()
