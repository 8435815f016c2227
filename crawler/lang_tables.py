"""Builds seeds/lang/han_evidence.txt, the character tables crawler.lang counts as evidence
(`make lang-tables`; run again after upgrading opencc, jieba or ja-ginza).

- japanese-only: shinjitai (OpenCC's Japanese variants) that Chinese does not write: rare in
  jieba's dictionary, not a Taiwan form, and its simplified form differs.
- chinese-only: simplified forms that are not shinjitai and that Japanese does not write
  (rare in ja-ginza's vocabulary), and traditional forms Japanese replaced (t2jp changes
  them) or does not write.
- simplified / traditional: forms with a different counterpart in the other script.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

SEEDS = Path(__file__).parents[1] / "seeds" / "lang" / "han_evidence.txt"
CHINESE_USES = 1000  # jieba frequency mass above which Chinese writes a character
JAPANESE_USES = 3  # ja-ginza vocabulary entries above which Japanese writes a character
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _convert_each(converter: object, chars: list[str]) -> dict[str, str]:
    converted = converter.convert("\n".join(chars)).split("\n")  # type: ignore[attr-defined]
    return dict(zip(chars, converted, strict=True))


def build() -> dict[str, str]:
    import ja_ginza
    import jieba
    import opencc

    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    jp2t, t2jp, t2s, s2t, tw2s = (
        _convert_each(opencc.OpenCC(name), chars) for name in ("jp2t", "t2jp", "t2s", "s2t", "tw2s")
    )
    chinese: Counter[str] = Counter()
    for line in (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8"):
        word, frequency, *_ = line.split(" ")
        for char in word:
            chinese[char] += int(frequency)
    vocab = next(Path(ja_ginza.__file__).parent.glob("ja_ginza-*/vocab/strings.json"))
    japanese: Counter[str] = Counter()
    for string in json.loads(vocab.read_text(encoding="utf-8")):
        japanese.update(set(_HAN.findall(string)))
    shinjitai = {c for c in chars if jp2t[c] != c}
    japanese_only = {
        c
        for c in shinjitai
        if chinese[c] < CHINESE_USES and t2s.get(jp2t[c], jp2t[c]) != c and tw2s[c] == c
    }
    simplified = {c for c in chars if s2t[c] != c}
    traditional = {c for c in chars if tw2s[c] != c}
    chinese_only = {
        c for c in simplified if c not in shinjitai and japanese[c] < JAPANESE_USES
    } | {c for c in traditional if t2jp[c] != c or japanese[c] < JAPANESE_USES}
    return {
        "japanese-only": "".join(sorted(japanese_only)),
        "chinese-only": "".join(sorted(chinese_only - japanese_only)),
        "simplified": "".join(sorted(simplified - traditional)),
        "traditional": "".join(sorted(traditional - simplified)),
    }


def main() -> None:
    tables = build()
    SEEDS.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Built by `make lang-tables` (crawler/lang_tables.py): name TAB characters"]
    lines += [f"{name}\t{chars}" for name, chars in tables.items()]
    SEEDS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print({name: len(chars) for name, chars in tables.items()})


if __name__ == "__main__":
    main()
