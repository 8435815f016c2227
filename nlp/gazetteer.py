"""The entity gazetteer: curated canonical entities and every way they are written.

One record per canonical key (`org:baidu`) in the YAML files of seeds/gazetteer/ (one file
per type, format in its README), with names and aliases in Japanese, Chinese and English.
Matching runs over folded text (nlp.fold), so spelling variants across scripts need no
separate aliases; katakana renderings do. `term:` records (terms.yaml) are words of the field
that are no entity (benchmarks, architectures, licences, memory types): never linked, they
keep the recognisers off their span, as a known name does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from nlp.fold import fold
from nlp.names import chinese_word_around, is_word, words_of

TYPES = {
    "org": "ORG",
    "person": "PERSON",
    "model": "MODEL",
    "product": "PRODUCT",
    "gov": "GOV",
    "law": "LAW",
    "chip": "CHIP",
}
LINK_FIELDS = ("developer", "issuer", "maker", "parent", "family", "affiliation")
TERM = "term"  # key type of the field's words that are no entity; label of their matches
CONTEXT_WINDOW = 60  # characters either side in which an ambiguous name needs support
_KEY = re.compile(r"^(org|person|model|product|gov|law|chip|term):[a-z0-9\u3400-\u9fff][\w.\-]*$")
_ASCII_WORD = re.compile(r"[0-9a-z]")
WORD_WINDOW = 12  # characters either side read to find the word a CJK name may be inside
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# a brand and its version: Step-3, Qwen3, GLM-4.5
_BRAND_VERSION = re.compile(r"^([A-Z][A-Za-z]{2,})[- ]?([0-9][0-9A-Za-z.]*)$")


class GazetteerError(ValueError):
    """The gazetteer file is malformed; the message names the record."""


@dataclass(frozen=True)
class Entry:
    key: str
    names: dict[str, str]  # ja / zh / en
    aliases: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()  # surfaces linked only with supporting context
    context: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def label(self) -> str:
        return TYPES[self.type]

    @property
    def surfaces(self) -> list[str]:
        return list(dict.fromkeys([*self.names.values(), *self.aliases, *self.ambiguous]))


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    surface: str
    key: str
    label: str


class Gazetteer:
    """`entries` are linked; `terms` (type `term`) are matched only to be left out."""

    def __init__(self, entries: list[Entry], terms: list[Entry] | None = None) -> None:
        self.entries = {e.key: e for e in entries}
        self.terms = {e.key: e for e in terms or ()}
        # folded name -> its keys in file order, and every prefix of a folded name, so that
        # matching reads on from a character only while some name can still start there
        self._index: dict[str, list[str]] = defaultdict(list)
        self._prefixes: set[str] = set()
        self._ambiguous: set[tuple[str, str]] = set()
        for entry in [*entries, *self.terms.values()]:
            for surface in entry.surfaces:
                folded = fold(surface)
                if len(folded) < 2 and not folded.isascii():
                    continue
                self._index[folded].append(entry.key)
                self._prefixes.update(folded[:i] for i in range(1, len(folded) + 1))
            for surface in entry.ambiguous:
                self._ambiguous.add((fold(surface), entry.key))
        self._context = {e.key: [fold(w) for w in e.context] for e in entries if e.context}
        self._exact = {
            fold(surface): entry.key
            for entry in entries
            for surface in entry.surfaces
            if surface not in entry.ambiguous
        }
        self._spelled: set[tuple[str, str]] = set()  # other spellings: capitalised in text
        for entry in entries:
            for surface, spelling in _version_spellings(entry):
                folded = fold(spelling)
                if folded in self._index:  # a name of its own, or another record's
                    continue
                self._spelled.add((folded, entry.key))
                self._index[folded].append(entry.key)
                self._prefixes.update(folded[:i] for i in range(1, len(folded) + 1))
                if surface in entry.ambiguous:
                    self._ambiguous.add((folded, entry.key))
                else:
                    self._exact[folded] = entry.key

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        return _load_cached(str(path) if path else "")

    def extended(self, extra: list[Entry]) -> Gazetteer:
        """This gazetteer plus entities learnt since (discovered or promoted in the store);
        the file's records win on a key conflict."""
        added = [e for e in extra if e.key not in self.entries]
        if not added:
            return self
        return Gazetteer([*self.entries.values(), *added], list(self.terms.values()))

    def lookup(self, surface: str) -> Entry | None:
        """The entry a whole name (any script or spelling) refers to, if known."""
        key = self._exact.get(fold(surface.strip()))
        return self.entries[key] if key else None

    def match(self, text: str, *, terms: bool = False) -> list[Match]:
        """Known names in `text`, chosen to cover the most text (the fewest names on a tie,
        then the leftmost): 百度智能云千帆大模型平台 is 百度智能云 and 千帆大模型平台, not the
        longest first name 百度智能云千帆 and nothing. With `terms`, the field's words that are
        no entity too (label TERM), which callers keep but never link."""
        folded = fold(text)
        ja = bool(_KANA.search(text))  # which dictionary tells the words
        n = len(folded)
        best: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (covered, -names) from i on
        take: list[tuple[int, str] | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i] = best[i + 1]
            for end in self._ends(folded, i):
                score = (best[end][0] + end - i, best[end][1] - 1)
                if score < best[i] or (take[i] is not None and score == best[i]):
                    continue
                surface = folded[i:end]
                for key in self._index[surface]:
                    if (
                        self._fits(folded, i, end, surface, key)
                        and not ((surface, key) in self._spelled and text[i].islower())
                        and not inside_word(text, i, end, ja)
                    ):
                        best[i], take[i] = score, (end, key)
                        break
        found: list[Match] = []
        i = 0
        while i < n:
            chosen = take[i]
            if chosen is None:
                i += 1
                continue
            end, key = chosen
            if key in self.terms:
                if terms:
                    found.append(Match(i, end, text[i:end], key, TERM.upper()))
            else:
                found.extend(self._split_parent(text, folded, i, end, key))
            i = end
        return found

    def _ends(self, folded: str, start: int) -> list[int]:
        """Ends of the names that start at `start`, longest first: of names that cover as much
        with as few, the longest, then the first in the files, is taken."""
        ends = []
        end = start + 1
        while end <= len(folded) and folded[start:end] in self._prefixes:
            if folded[start:end] in self._index:
                ends.append(end)
            end += 1
        return ends[::-1]

    def _split_parent(self, text: str, folded: str, start: int, end: int, key: str) -> list[Match]:
        """米商務省産業安全保障局 names two bodies: a name that is the parent's name followed by
        one of the entity's own names is two matches, the parent's and the entity's."""
        entry = self.entries[key]
        parent = self.entries.get(entry.links.get("parent", ""))
        whole = [Match(start, end, text[start:end], key, entry.label)]
        if parent is None:
            return whole
        own = {fold(s) for s in entry.surfaces if s not in entry.ambiguous}
        for name in sorted({fold(s) for s in parent.surfaces}, key=len, reverse=True):
            cut = start + len(name)
            if folded.startswith(name, start) and folded[cut:end] in own:
                return [
                    Match(start, cut, text[start:cut], parent.key, parent.label),
                    Match(cut, end, text[cut:end], key, entry.label),
                ]
        return whole

    def _fits(self, folded: str, start: int, end: int, surface: str, key: str) -> bool:
        """ASCII names must stand alone (Yi is not in Yield, GLM-4 is not in GLM-4.5);
        ambiguous names need a context word nearby."""
        if not stands_alone(folded, start, end):
            return False
        if (surface, key) in self._ambiguous:
            window = folded[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
            window = window.replace(surface, " ")
            return any(word in window for word in self._context.get(key, ()))
        return True


def _version_spellings(entry: Entry) -> list[tuple[str, str]]:
    """A model version's other spellings, as reporters write them (Step-3: Step 3, Step3;
    Qwen3: Qwen 3, Qwen-3), each with the name it spells: a brand of three letters or more and
    a number, so that o1 or R1 get none. Matched only capitalised, as a brand is written
    (not "step 3" of a how-to)."""
    if entry.type != "model":
        return []
    spellings = []
    for surface in entry.surfaces:
        if m := _BRAND_VERSION.match(surface):
            brand, version = m.groups()
            spellings += [
                (surface, f"{brand}{sep}{version}")
                for sep in ("", " ", "-")
                if f"{brand}{sep}{version}" != surface
            ]
    return spellings


def stands_alone(folded: str, start: int, end: int) -> bool:
    """Whether an ASCII name's edges are no part of a longer ASCII word or version in the
    folded text (Yi is not in Yield, GLM-4 is not in GLM-4.5); CJK edges always pass."""
    if _ASCII_WORD.match(folded[start]) and start and _ASCII_WORD.match(folded[start - 1]):
        return False
    if _ASCII_WORD.match(folded[end - 1]) and end < len(folded):
        after = folded[end : end + 2]
        if _ASCII_WORD.match(after[0]) or re.match(r"[.\-][0-9]", after):
            return False
    return True


def inside_word(text: str, start: int, end: int, ja: bool) -> bool:
    """Whether a name is inside a longer word, by the language's dictionary: a CJK name in
    one longer word of the text whose edge character starts or ends a dictionary word there
    (教育部 in 教育部门, 国連 in アラブ首長国連邦) is part of that word, not a mention. A
    tokenizer's cut through a name (李彦宏|会長, 文心一|言官) is no reason to drop it, nor a
    word that only adds to the name (国务院令, 华为技术)."""
    left = start > 0 and _CJK.match(text[start - 1]) and _CJK.match(text[start])
    right = end < len(text) and _CJK.match(text[end]) and _CJK.match(text[end - 1])
    if not (left or right):
        return False
    offset = max(0, start - WORD_WINDOW)
    window = text[offset : end + WORD_WINDOW]
    if not ja and not chinese_word_around(window, start - offset, end - offset):
        return False
    for s, e in words_of(window, ja):
        s, e = s + offset, e + offset
        if s <= start and end <= e and e - s > end - start:
            return bool(
                (left and s < start and is_word(text[s : start + 1], ja))
                or (right and end < e and is_word(text[end - 1 : e], ja))
            )
    return False


def _entry(key: str, raw: dict[str, Any]) -> Entry:
    if not _KEY.match(key):
        raise GazetteerError(f"gazetteer key {key!r} is not <type>:<slug>")
    names = {lang: raw[lang] for lang in ("ja", "zh", "en") if raw.get(lang)}
    if not names:
        raise GazetteerError(f"gazetteer entry {key} has no name")
    allowed = {"ja", "zh", "en", "aka"}
    if not key.startswith(f"{TERM}:"):
        allowed |= {"ambiguous", "context", *LINK_FIELDS}
    unknown = set(raw) - allowed
    if unknown:
        raise GazetteerError(f"gazetteer entry {key}: unknown fields {sorted(unknown)}")
    if raw.get("ambiguous") and not raw.get("context"):
        raise GazetteerError(f"gazetteer entry {key}: ambiguous names need context words")
    return Entry(
        key=key,
        names=names,
        aliases=tuple(raw.get("aka", ())),
        ambiguous=tuple(raw.get("ambiguous", ())),
        context=tuple(raw.get("context", ())),
        links={f: raw[f] for f in LINK_FIELDS if raw.get(f)},
    )


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Gazetteer:
    """`path` is one YAML file or a folder of them; empty means the bundled seeds/gazetteer/."""
    raw: dict[str, Any] = {}
    for name, text in _sources(path):
        try:
            records = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise GazetteerError(f"gazetteer {name}: {exc}") from None
        for key, value in records.items():
            if key in raw:
                raise GazetteerError(f"gazetteer {name}: {key} is defined twice")
            raw[key] = value
    records = [_entry(key, value or {}) for key, value in raw.items()]
    entries = [e for e in records if e.type != TERM]
    keys = {e.key for e in entries}
    for entry in entries:
        for field_name, target in entry.links.items():
            if target not in keys:
                raise GazetteerError(f"{entry.key}: {field_name} {target} is not in the gazetteer")
    return Gazetteer(entries, [e for e in records if e.type == TERM])


def _sources(path: str) -> list[tuple[str, str]]:
    """(name, text) of every gazetteer file, in a stable order."""
    if path and Path(path).is_file():
        return [(path, Path(path).read_text(encoding="utf-8"))]
    folder = Path(path) if path else files("seeds").joinpath("gazetteer")
    found = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    if not found:
        raise GazetteerError(f"gazetteer {path or 'seeds/gazetteer/'}: no .yaml files")
    return [(f"{folder}/{f.name}", f.read_text(encoding="utf-8")) for f in found]


def bundled_records() -> dict[str, dict[str, Any]]:
    """The bundled gazetteer's records as written, by key."""
    return {
        key: dict(value or {})
        for _name, text in _sources("")
        for key, value in (yaml.safe_load(text) or {}).items()
    }


def write_without(gone: set[str], out: Path) -> Path:
    """The bundled gazetteer minus the records `gone` (and every link to them), written to
    one file `out`: what aiwatch would know if those entities were new."""
    kept: dict[str, Any] = {}
    for key, value in bundled_records().items():
        if key not in gone:
            for link in LINK_FIELDS:
                if value.get(link) in gone:
                    del value[link]
            kept[key] = value
    out.write_text(yaml.safe_dump(kept, allow_unicode=True), encoding="utf-8")
    return out


def gazetteer_bytes(path: Path | None = None) -> bytes:
    """The gazetteer's content, for a fingerprint that changes when any file changes."""
    return b"\n".join(text.encode() for _name, text in _sources(str(path) if path else ""))
