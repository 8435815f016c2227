"""Rebuilds lang_public.yaml from the development corpus's `fit` split and public data.

Run from the project root: .venv/bin/python tests/crawler/data/build_lang_public.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

SHARED = Path("../shared")
TRADITIONAL_OUTLETS = {"台灣數位脈動", "臺北科技評論"}  # the fit split's Taiwanese outlets
HEADER = """# Labelled texts for the language tests, taken from data aiwatch may use for fitting:
# the development corpus's `fit` split (../shared/devset, written for this project), the
# fundus test fixtures (MIT, flairNLP/fundus: real publisher pages), and every 50th sentence
# of the stockmark-ner-ja train split (CC-BY-SA 3.0, Stockmark Inc., from Japanese Wikipedia).
# Rebuilt by tests/crawler/data/build_lang_public.py.
"""


def _load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def devset_cases() -> list[dict[str, str]]:
    corpus = SHARED / "devset" / "corpus"
    splits = _load(corpus / "splits.json")
    cases = []
    for path in sorted((corpus / "articles").glob("*.json")):
        article = _load(path)
        if splits[article["id"]] != "fit":
            continue
        lang = article["lang"]
        if lang == "zh":
            lang = "zh-Hant" if article["outlet"] in TRADITIONAL_OUTLETS else "zh-Hans"
        lead = article["body"].split("\n\n")[0][:300]
        cases.append({"lang": lang, "text": article["title"], "from": f"devset {article['id']}"})
        cases.append({"lang": lang, "text": lead, "from": f"devset {article['id']} lead"})
    return cases


def fundus_cases() -> list[dict[str, str]]:
    cases = []
    for path in sorted((SHARED / "data" / "fundus").glob("*/*.json")):
        expected = _load(path)
        page = expected[sorted(expected)[-1]]
        english = path.parent.name == "tw" or path.stem == "TheJapanNews"
        lang = "en" if english else {"jp": "ja", "cn": "zh-Hans"}[path.parent.name]
        paragraphs = [p for s in page["body"]["sections"] for p in s["paragraphs"] if len(p) > 40]
        cases.append({"lang": lang, "text": page["title"], "from": f"fundus {path.stem}"})
        cases.append({"lang": lang, "text": paragraphs[0][:300], "from": f"fundus {path.stem}"})
    return cases


def stockmark_cases() -> list[dict[str, str]]:
    sentences = _load(SHARED / "data" / "stockmark-ner-ja" / "ner.json")
    train = [s for s in sentences if int(s["curid"]) % 5]
    return [
        {"lang": "ja", "text": s["text"], "from": f"stockmark train {s['curid']}"}
        for s in train[::50]
    ]


def main() -> None:
    cases = devset_cases() + fundus_cases() + stockmark_cases()
    text = yaml.safe_dump(cases, allow_unicode=True, sort_keys=False, width=1000)
    (Path(__file__).parent / "lang_public.yaml").write_text(HEADER + text, encoding="utf-8")
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
