"""Bytes to correct Unicode, whatever the page declares or fails to declare.

Valid UTF-8 is trusted first: CJK text in a legacy encoding almost never validates as
UTF-8, while a UTF-8 page often declares Shift_JIS or GB2312 by mistake. Then the declared
encoding, if it decodes without errors and the text does not look misread: a single-byte
code page (ISO-8859-1, windows-1252) decodes any bytes, so a GB18030 page declared as
ISO-8859-1 "decodes" into Latin-1 letters (百度 as °Ù¶È). Then detection among the
encodings used in Japan, mainland China and Taiwan, which must decode without errors to
overrule a declaration.

Characters no text should contain (NUL and other control characters, lone surrogates,
noncharacters such as U+FFFF), raw or as character references, are replaced with U+FFFD:
one of them must not cost the page (`clean_characters`).
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
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# What CJK bytes become through ISO-8859-1 or windows-1252: Latin-1 letters and symbols,
# C1 controls and the punctuation windows-1252 puts at 0x80-0x9f.
_SINGLE_BYTE_READING = re.compile(
    "[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
MISREAD_SHARE = 0.5  # of the non-ASCII characters: past this the declaration is doubted
# Characters XML and text stores refuse (PostgreSQL refuses NUL), raw or as a character
# reference: C0 controls but tab, newlines and form feed; DEL; surrogates; noncharacters.
_BAD_RAW = "\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_BAD_CHARACTER = re.compile(f"[{_BAD_RAW}]")
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


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
    as_declared = None
    if declared and declared != "utf-8":
        try:
            as_declared = body.decode(declared)
        except UnicodeDecodeError:
            pass
        else:
            if not looks_misread(as_declared):
                return as_declared, declared
    best = from_bytes(body, cp_isolation=list(CANDIDATES)).best()
    if best is not None and best.encoding:
        name = normalize_name(best.encoding) or best.encoding
        if as_declared is None:
            return body.decode(name, errors="replace"), name
        try:  # a declaration is overruled only by a reading without errors
            return body.decode(name), name
        except UnicodeDecodeError:
            pass
    if declared and as_declared is not None:
        return as_declared, declared
    return body.decode(declared or "utf-8", errors="replace"), declared or "utf-8"


def looks_misread(text: str) -> bool:
    """Most non-ASCII characters are what CJK bytes become through a single-byte code page."""
    non_ascii = len(_NON_ASCII.findall(text))
    return non_ascii > 0 and len(_SINGLE_BYTE_READING.findall(text)) > MISREAD_SHARE * non_ascii


def clean_characters(text: str) -> str:
    """`text` with every character no text may contain, raw or as a numeric character
    reference, replaced by U+FFFD; everything else as it was."""
    if _BAD_CHARACTER.search(text):
        text = _BAD_CHARACTER.sub("\ufffd", text)
    if "&#" in text:  # two passes: the one over every page stays a plain character scan
        text = _CHARACTER_REFERENCE.sub(_replace_bad_reference, text)
    return text


def _replace_bad_reference(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    significant = (hex_digits or digits).lstrip("0")
    if len(significant) > 8:  # far past U+10FFFF (and too long for int() to read)
        return "\ufffd"
    code = int(hex_digits, 16) if hex_digits is not None else int(digits)
    if code > 0x10FFFF or (code & 0xFFFE) == 0xFFFE or _BAD_CHARACTER.match(chr(code)):
        return "\ufffd"
    return match.group(0)  # a good reference: the HTML parser reads it
