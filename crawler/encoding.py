"""Bytes to correct Unicode, whatever the page declares or fails to declare.

Valid UTF-8 is trusted first: CJK text in a legacy encoding almost never validates as
UTF-8, while a UTF-8 page often declares Shift_JIS or GB2312 by mistake. Then the declared
encoding, if it decodes without errors; then detection among the encodings used in Japan,
mainland China and Taiwan.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Supersets: pages labelled with the narrow name routinely use the wide one's characters.
_SUPERSET = {
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "euc-jp": "euc_jis_2004",
}
CANDIDATES = ("cp932", "euc_jis_2004", "gb18030", "big5hkscs", "utf-16")
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)


def normalize_name(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSET.get(name.strip().lower(), _SUPERSET.get(canonical, canonical))


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    if content_type:
        match = re.search(r"charset\s*=\s*[\"']?([\w\-]+)", content_type, re.I)
        if match:
            return normalize_name(match.group(1))
    head = body[:4096]
    if head.startswith(b"<?xml"):
        xml = re.match(rb"""<\?xml[^>]*encoding\s*=\s*["']([\w\-]+)""", head)
        if xml:
            return normalize_name(xml.group(1).decode("ascii"))
    match = _META.search(head)
    return normalize_name(match.group(1).decode("ascii")) if match else None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Never raises: undecodable bytes become U+FFFD only as a
    last resort."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(body, content_type)
    if declared and declared != "utf-8":
        try:
            return body.decode(declared), declared
        except UnicodeDecodeError:
            pass
    best = from_bytes(body, cp_isolation=list(CANDIDATES)).best()
    if best is not None and best.encoding:
        name = normalize_name(best.encoding) or best.encoding
        return body.decode(name, errors="replace"), name
    return body.decode(declared or "utf-8", errors="replace"), declared or "utf-8"
