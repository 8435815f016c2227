"""The Chinese run of bench/ner_labelled.py, under the name the docs and earlier measurements use.

    python -m bench.ner_zh
"""

from __future__ import annotations

from bench.ner_labelled import main as labelled_main
from bench.ner_labelled import scores

__all__ = ["main", "scores"]


def main() -> None:
    labelled_main(["zh"])


if __name__ == "__main__":
    main()
