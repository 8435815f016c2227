"""MinHash signatures: stable values, and the best near-duplicate among candidates."""

from __future__ import annotations

import hashlib

from store import fingerprint

TEXT = "百度は北京で新しい大規模言語モデルを発表し、推論性能が向上したと説明した。" * 3


def test_signature_values_are_stable_across_versions() -> None:
    # Stored signatures are compared with new ones: a change here breaks every store.
    digest = hashlib.sha256(fingerprint.signature(TEXT)).hexdigest()[:16]
    assert digest == SIGNATURE_DIGEST


def test_best_match_prefers_the_most_similar_then_the_newest() -> None:
    sig = fingerprint.signature(TEXT)
    copy = fingerprint.signature(TEXT + "(転載元:テックニュース)")
    other = fingerprint.signature("アリババは杭州で通義千問の新版を公開した。" * 3)
    similarity, best = fingerprint.best_match(sig, [(1, other), (2, copy), (3, other)])
    assert best == 2 and similarity > fingerprint.best_match(sig, [(1, other)])[0]
    assert fingerprint.best_match(sig, [(4, sig), (9, sig), (7, sig)]) == (1.0, 9)
    assert fingerprint.best_match(sig, []) == (0.0, 0)


SIGNATURE_DIGEST = "0f4c403d4fb9c77d"  # computed with the first release's signature code
