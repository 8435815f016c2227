"""Entry points read safely: the links of an RSS/Atom feed and the locations of a sitemap.

Both are XML from sites we do not control. The parser never expands entities, never
fetches anything and keeps libxml2's size limits (no huge_tree), and a document that
declares its own entities (the billion-laughs attack) is refused with a reason. Feeds are
often hand-made: an unescaped `&` (`?id=7&fbclid=abc`) or an entity XML does not define
(`&nbsp;`, `&undefined;`) is kept literally instead of being dropped by the parser, which
would silently change the link.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree
from scrapy.utils.gz import gunzip

# An `&` that does not start one of XML's own entities or a character reference. CDATA
# sections and comments are matched first and kept as they are.
_LITERAL_AMPERSAND = re.compile(
    rb"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)|&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)",
    re.S,
)


class EntryPointError(ValueError):
    """A feed or sitemap that cannot be used; the message is the one-line reason."""


@dataclass(frozen=True)
class SitemapEntries:
    is_index: bool  # a sitemap index: the locations are more sitemaps
    locations: list[str]


def keep_literal_ampersands(body: bytes) -> bytes:
    """`&` that XML would misread, escaped so the parser keeps them as written."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body  # an ASCII pattern cannot be matched in UTF-16
    return _LITERAL_AMPERSAND.sub(lambda m: m.group(1) or b"&amp;", body)


def parse_xml(body: bytes, what: str) -> etree._Element:
    """The document's root element, or EntryPointError saying why there is none."""
    if not body.strip():
        raise EntryPointError(f"empty {what}: the response has no content")
    body = keep_literal_ampersands(body)
    try:
        root = etree.fromstring(body, parser=_parser(recover=False))
    except etree.XMLSyntaxError as exc:
        if _is_resource_limit(exc):
            raise EntryPointError(f"{what} refused by the XML parser: {exc}") from None
        try:
            root = etree.fromstring(body, parser=_parser(recover=True))  # broken markup
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise EntryPointError(f"malformed {what}: {exc}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise EntryPointError(
            f"{what} refused: it declares XML entities in its DTD (entity expansion, as in "
            "the billion-laughs attack, is never performed)"
        )
    return root


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _is_resource_limit(exc: etree.XMLSyntaxError) -> bool:
    message = str(exc)
    return "amplification" in message or "XML_PARSE_HUGE" in message or "Excessive" in message


def read_feed(body: bytes) -> list[str]:
    """Item links of an RSS 0.9x/1.0/2.0 or Atom feed, namespace-agnostic, tolerant of
    broken markup; EntryPointError when the feed is empty, unreadable or refused."""
    root = parse_xml(body, "feed")
    links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")
    for entry in root.xpath("//*[local-name()='entry']"):
        hrefs = entry.xpath(
            "*[local-name()='link'][not(@rel) or @rel='alternate']/@href"
        ) or entry.xpath("*[local-name()='link']/@href")
        links.extend(hrefs[:1])
    rdf_about = root.xpath(
        "//*[local-name()='item'][not(*[local-name()='link'])]/@*[local-name()='about']"
    )
    links.extend(rdf_about)
    found = [str(link).strip() for link in links if str(link).strip()]
    if not found:
        raise EntryPointError("malformed or empty feed: no item links found")
    return found


def feed_links(body: bytes) -> list[str]:
    """Item links of a feed, none when it cannot be used (for callers that only count)."""
    try:
        return read_feed(body)
    except EntryPointError:
        return []


def sitemap_entries(body: bytes, max_size: int) -> SitemapEntries:
    """The locations in a sitemap or sitemap index, gzipped or not. A gzipped sitemap that
    decompresses past `max_size` bytes (a gzip bomb) is refused before it fills memory."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError:  # Scrapy's decompression limit
            raise EntryPointError(
                f"sitemap refused: it decompresses to more than {max_size} bytes "
                "(crawler.max_page_bytes)"
            ) from None
        except (OSError, EOFError) as exc:
            raise EntryPointError(f"malformed gzipped sitemap: {exc}") from None
    root = parse_xml(body, "sitemap")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise EntryPointError(f"malformed sitemap: <{kind}> is not a urlset or sitemapindex")
    locations = [
        str(loc).strip() for loc in root.xpath("*/*[local-name()='loc']/text()") if str(loc).strip()
    ]
    if not locations:
        raise EntryPointError("empty sitemap: no <loc> entries")
    return SitemapEntries(kind == "sitemapindex", locations)
