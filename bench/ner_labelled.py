"""NER benchmark on the test part of our own hand-labelled news sentences of a language
(nlp/ner/labelled/<lang>.yaml, `nlp.ner.gold`; the train part goes to the model, this part never
does): exact-span P/R/F1 by type through EntityRecognizer.find (what `aiwatch extract` runs)
and for the NER model alone (no gazetteer, no filters), with chars/s of CPU time.

Types scored: ORG, GOV, PERSON, PRODUCT (the gazetteer's CHIP counted as PRODUCT), MODEL,
LAW, micro over all; "ORG+GOV" counts the two as one, as public news sets split
organizations differently from us. The `ner` line says how many of find's statistical
mentions (method `ner`) are right: the figure that was bad on unseen news.

    python -m bench.ner_labelled zh      # python -m bench.ner_zh is the same
    python -m bench.ner_labelled en
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable

from bench.ner import prf
from nlp.entities import EntityRecognizer
from nlp.ner import gold

TYPES = (*gold.TYPES, "ORG+GOV", "micro")
# a first sentence per language, so that loading is not timed
WARM_UP = {"zh": "百度发布文心大模型。", "en": "Baidu released a new model on Monday."}
Span = tuple[int, int, int, str]  # (sentence, start, end, type)


def scores(gold_spans: set[Span], predicted: set[Span]) -> dict[str, tuple[float, float, float]]:
    """P/R/F1 per type, for ORG and GOV taken as one, and micro; exact spans."""
    return {type_: prf(_of(gold_spans, type_), _of(predicted, type_)) for type_ in TYPES}


def _of(spans: set[Span], type_: str) -> set[Span]:
    """The spans scored for `type_`, ORG and GOV relabelled as one for "ORG+GOV"."""
    if type_ == "micro":
        return spans
    if type_ == "ORG+GOV":
        return {(*s[:3], type_) for s in spans if s[3] in ("ORG", "GOV")}
    return {s for s in spans if s[3] == type_}


def run(
    name: str,
    texts: list[str],
    predict: Callable[[list[str]], Iterable[Span]],
    gold_spans: set[Span],
) -> set[Span]:
    started = time.process_time()  # CPU time: one core's speed, whatever else the machine runs
    predicted = set(predict(texts))
    elapsed = max(time.process_time() - started, 1e-9)
    result = scores(gold_spans, predicted)
    print(f"{name:16} {sum(map(len, texts)) / elapsed:8,.0f} chars/s")
    for type_, (p, r, f) in result.items():
        print(f"{'':16} {type_:8} P {p:.2f}  R {r:.2f}  F1 {f:.2f}")
    return predicted


def find_predictor(
    recognizer: EntityRecognizer, methods: dict[Span, str], lang: str
) -> Callable[[list[str]], Iterable[Span]]:
    """EntityRecognizer.find, as `aiwatch extract` runs it; records each span's method."""

    def predict(texts: list[str]) -> Iterable[Span]:
        for i, text in enumerate(texts):
            for f in recognizer.find(text, lang):
                label = "PRODUCT" if f.label == "CHIP" else f.label
                if label in gold.TYPES:
                    span = (i, f.start, f.end, label)
                    methods[span] = f.method
                    yield span

    return predict


def model_predictor(lang: str) -> Callable[[list[str]], Iterable[Span]]:
    """The language's NER alone (Chinese with traditional characters folded, as at run time)."""
    from nlp.pipelines import load_pipeline

    nlp = load_pipeline(lang)

    def predict(texts: list[str]) -> Iterable[Span]:
        for i, doc in enumerate(nlp.pipe(texts)):
            for ent in doc.ents:
                if ent.label_ in gold.TYPES:
                    yield (i, ent.start_char, ent.end_char, ent.label_)

    return predict


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lang", choices=sorted(WARM_UP))
    lang = parser.parse_args(argv).lang
    sentences = gold.split(lang, "test")
    texts = [s.text for s in sentences]
    gold_spans = {(i, *span) for i, s in enumerate(sentences) for span in s.spans}
    print(f"labelled {lang} test part: {len(texts)} sentences, {len(gold_spans)} spans")
    recognizer = EntityRecognizer()
    recognizer.find(WARM_UP[lang], lang)  # loaded before any timing
    methods: dict[Span, str] = {}
    predict = find_predictor(recognizer, methods, lang)
    predicted = run("aiwatch (find)", texts, predict, gold_spans)
    ner = {s for s in predicted if methods[s] == "ner"}
    print(f"{'':16} ner method: {len(ner)} mentions, {len(ner & gold_spans)} right")
    model = model_predictor(lang)
    list(model([WARM_UP[lang]]))
    run("NER model alone", texts, model, gold_spans)


if __name__ == "__main__":
    main()
