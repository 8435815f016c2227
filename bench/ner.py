"""NER benchmark on public Japanese data nobody on this project wrote: span P/R/F1 by type on
the stockmark NER set's TEST split (`int(curid) % 5 == 0`, never trained on), through the
same code `aiwatch extract` runs (EntityRecognizer.find), exact character spans, and chars/s;
ja_ginza on every sentence (its ENE labels mapped to ours) as the baseline in the same run,
and the NER model alone (no gazetteer, no filters).

Types scored: ORG (our GOV counted as ORG, as stockmark's 政治的組織名), PERSON, PRODUCT (our
MODEL counted as PRODUCT).

    python -m bench.ner                     # all 1,042 test sentences, ginza on 300
    python -m bench.ner --ginza-sentences 0 # skip the baseline
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language

from nlp.entities import EntityRecognizer

STOCKMARK = Path(__file__).parents[2] / "shared" / "data" / "stockmark-ner-ja" / "ner.json"
GOLD_TYPES = {
    "法人名": "ORG",
    "その他の組織名": "ORG",
    "政治的組織名": "ORG",
    "人名": "PERSON",
    "製品名": "PRODUCT",
}
OUR_TYPES = {
    "ORG": "ORG",
    "GOV": "ORG",
    "PERSON": "PERSON",
    "PRODUCT": "PRODUCT",
    "MODEL": "PRODUCT",
}
GINZA_TYPES = {
    **dict.fromkeys(["Person"], "PERSON"),
    **dict.fromkeys(
        [
            "Company",
            "Company_Group",
            "Organization_Other",
            "International_Organization",
            "Show_Organization",
            "Sports_Organization",
            "Pro_Sports_Organization",
            "Sports_Team",
            "Government",
            "Political_Party",
            "Cabinet",
            "Military",
            "Institute",
            "Corporation_Other",
        ],
        "ORG",
    ),
    **dict.fromkeys(
        [
            "Product_Other",
            "Car",
            "Train",
            "Aircraft",
            "Ship",
            "Spaceship",
            "Weapon",
            "Drug",
            "Food_Other",
            "Clothing",
            "Service",
            "Broadcast_Program",
            "Movie",
            "Show",
            "Music",
            "Book",
            "Newspaper",
            "Magazine",
            "Picture",
            "Character",
            "Game",
            "Vehicle_Other",
        ],
        "PRODUCT",
    ),
}
TYPES = ("ORG", "PERSON", "PRODUCT")
Span = tuple[int, int, int, str]  # (sentence, start, end, type)


def test_split() -> list[dict]:
    records = json.loads(STOCKMARK.read_text(encoding="utf-8"))
    return [r for r in records if int(r["curid"]) % 5 == 0]


def gold_spans(records: list[dict]) -> set[Span]:
    return {
        (i, *e["span"], GOLD_TYPES[e["type"]])
        for i, r in enumerate(records)
        for e in r["entities"]
        if e["type"] in GOLD_TYPES
    }


def scores(gold: set[Span], predicted: set[Span]) -> dict[str, tuple[float, float, float]]:
    """P/R/F1 per type and micro over all types, exact spans."""
    return {
        type_: prf(
            {s for s in gold if type_ in ("micro", s[3])},
            {s for s in predicted if type_ in ("micro", s[3])},
        )
        for type_ in (*TYPES, "micro")
    }


def prf(gold: set, predicted: set) -> tuple[float, float, float]:
    """Precision, recall and F1 of `predicted` against `gold`."""
    tp = len(gold & predicted)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def run(
    name: str, texts: list[str], predict: Callable[[list[str]], Iterable[Span]], gold: set[Span]
) -> None:
    started = time.process_time()  # CPU time: one core's speed, whatever else the machine runs
    predicted = set(predict(texts))
    elapsed = time.process_time() - started
    gold = {s for s in gold if s[0] < len(texts)}
    result = scores(gold, predicted)
    line = "  ".join(f"{t} {p:.2f}/{r:.2f}/{f:.2f}" for t, (p, r, f) in result.items())
    print(
        f"{name:24} P/R/F1  {line}  | {sum(map(len, texts)) / elapsed:8,.0f} chars/s  ({len(texts)} sentences)"
    )
    errors = Counter(s[3] for s in gold - predicted)
    print(f"{'':24} missed by type: {dict(errors)}; wrong spans: {len(predicted - gold)}")


def aiwatch_predictor() -> Callable[[list[str]], Iterable[Span]]:
    """EntityRecognizer.find, as `aiwatch extract` runs it, loaded before any timing."""
    recognizer = EntityRecognizer()
    recognizer.find("百度", "ja")

    def predict(texts: list[str]) -> Iterable[Span]:
        for i, text in enumerate(texts):
            for f in recognizer.find(text, "ja"):
                if f.label in OUR_TYPES:
                    yield (i, f.start, f.end, OUR_TYPES[f.label])

    return predict


def spacy_predictor(nlp: Language, types: dict[str, str]) -> Callable[[list[str]], Iterable[Span]]:
    """A spaCy pipeline's entities on every sentence, its labels mapped by `types`."""
    nlp("百度")  # loaded before any timing

    def predict(texts: list[str]) -> Iterable[Span]:
        for i, doc in enumerate(nlp.pipe(texts)):
            for ent in doc.ents:
                if ent.label_ in types:
                    yield (i, ent.start_char, ent.end_char, types[ent.label_])

    return predict


def model_predictor() -> Callable[[list[str]], Iterable[Span]]:
    """The NER model alone, without the gazetteer and the entity stage's filters: what
    those cost or add is the difference to `aiwatch (find)`."""
    from nlp.pipelines import load_pipeline

    return spacy_predictor(load_pipeline("ja").get_pipe("aiwatch_ner_v1").nlp, OUR_TYPES)


def ginza_predictor() -> Callable[[list[str]], Iterable[Span]]:
    """ja_ginza's full pipeline, every sentence, its ENE labels mapped to ours."""
    import spacy

    return spacy_predictor(spacy.load("ja_ginza"), GINZA_TYPES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ginza-sentences", type=int, default=300, help="baseline sample size")
    args = parser.parse_args()
    records = test_split()
    texts = [r["text"] for r in records]
    gold = gold_spans(records)
    print(
        f"stockmark-ner-ja test split: {len(texts)} sentences, {len(gold)} ORG/PERSON/PRODUCT spans"
    )
    aiwatch = aiwatch_predictor()
    run("aiwatch (find)", texts, aiwatch, gold)
    run("NER model alone", texts, model_predictor(), gold)
    if args.ginza_sentences:
        run("baseline ja_ginza", texts[: args.ginza_sentences], ginza_predictor(), gold)
        run("aiwatch, same sample", texts[: args.ginza_sentences], aiwatch, gold)


if __name__ == "__main__":
    main()
