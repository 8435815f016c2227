"""Content identity of an article: an exact hash, and a MinHash signature for near-duplicates.

Character shingles work for Japanese and Chinese, which have no spaces between words.
MinHash estimates the Jaccard similarity of two shingle sets, so a syndicated copy with a
different footer still matches; LSH bands turn the lookup into a few index probes instead
of a scan over every stored article.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

SHINGLE = 4
PERMUTATIONS = 64
BANDS = 16  # 16 bands x 4 rows: pairs above ~0.6 Jaccard almost always share a band
ROWS = PERMUTATIONS // BANDS
NEAR_DUPLICATE_JACCARD = 0.7
_SPACE = re.compile(r"\s+")
_rng = np.random.default_rng(20260523)  # fixed: signatures must be stable across versions
_A = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_P = np.uint64(1_000_003)


def normalize(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _shingle_hashes(norm: str) -> np.ndarray:
    """One hash per character shingle, repeats included: they cannot change a minimum."""
    codes = np.frombuffer(norm.ljust(SHINGLE, "\0").encode("utf-32-le"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    hashes = np.zeros(n, dtype=np.uint64)
    for offset in range(SHINGLE):
        hashes = hashes * _P + codes[offset : offset + n]
    return hashes


def signature(text: str) -> bytes:
    """MinHash signature of the text's character shingles (PERMUTATIONS uint32 values)."""
    hashes = _shingle_hashes(normalize(text))
    with np.errstate(over="ignore"):
        permuted = np.multiply.outer(_A, hashes)  # one row per permutation: rows stay in cache
        permuted += _B[:, None]
    # The top 32 bits of the minimum are the minimum of the top 32 bits: shift 64 values,
    # not 64 x n.
    return (permuted.min(axis=1) >> np.uint64(32)).astype("<u4").tobytes()


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per LSH band, for the index of candidate duplicates."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS * 4 : (band + 1) * ROWS * 4]
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def best_match(sig: bytes, candidates: list[tuple[int, bytes]]) -> tuple[float, int]:
    """(estimated Jaccard similarity, id) of the candidate most like `sig`; ties go to the
    highest id. One comparison for all candidates: a template-heavy site can put hundreds
    of articles in the same LSH bands."""
    if not candidates:
        return 0.0, 0
    ids = np.array([article_id for article_id, _ in candidates])
    matrix = np.frombuffer(b"".join(other for _, other in candidates), "<u4")
    matches = matrix.reshape(len(candidates), -1) == np.frombuffer(sig, "<u4")
    similarities = matches.mean(axis=1)
    best = np.lexsort((ids, similarities))[-1]
    return float(similarities[best]), int(ids[best])
