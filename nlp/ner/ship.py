"""Copy what a trained NER pipeline needs to load into nlp/ner/models/<lang>: `spacy train`
also writes model-last, the optimizer's state and, for Japanese, a copy of ja_ginza's
vectors, which loading reads from the installed package instead (nlp/ner/vectors.py).

    python -m nlp.ner.ship nlp/ner/training/ja/model-best nlp/ner/models/ja
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

KEEP = ("config.cfg", "meta.json", "tokenizer", "tok2vec", "ner", "vocab/strings.json")
NOTICE = Path(__file__).with_name("NOTICE.md")


def ship(trained: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    for name in KEEP:
        source, dest = trained / name, target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest)
        elif source.exists():  # a character tokenizer has no state to save
            shutil.copy2(source, dest)
    shutil.copy2(NOTICE, target / "NOTICE.md")  # the licence travels with the weights
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    print(f"{target}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    ship(Path(sys.argv[1]), Path(sys.argv[2]))
