"""Decoding, language, URLs, feeds and extraction: the crawler's text handling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.encoding import clean_characters, decode
from crawler.extract import extract
from crawler.feeds import EntryPointError, feed_links, read_feed, sitemap_entries
from crawler.lang import detect
from crawler.pages import canonical_link
from crawler.urls import canonicalize
from tests.newssite.articles import ARTICLES
from tests.newssite.hostile import PAGES
from tests.newssite.server import BOILERPLATE, article_html, atom, rss

JA = "バイドゥは新しい大規模言語モデルを発表した。中国の規制当局も生成AIの表示義務を強化している。"
ZH_HANS = "百度发布新一代文心大模型,阿里巴巴也推出了通义千问的新版本。"
ZH_HANT = "百度發佈新一代文心大模型,阿里巴巴也推出了通義千問的新版本。"


@pytest.mark.parametrize(
    ("text", "encoding", "declared"),
    [
        (JA, "shift_jis", "text/html; charset=Shift_JIS"),
        (JA, "euc_jp", "text/html; charset=EUC-JP"),
        (JA, "shift_jis", None),
        (JA, "euc_jp", None),
        (ZH_HANS, "gb18030", "text/html; charset=gb2312"),
        (ZH_HANS, "gbk", "text/html; charset=utf-8"),  # wrong declaration
        (ZH_HANS, "gb18030", None),
        (ZH_HANT, "big5", "text/html; charset=big5"),
        (ZH_HANT, "big5", None),
        (JA, "utf-8", "text/html; charset=Shift_JIS"),  # UTF-8 page declaring Shift_JIS
        (ZH_HANS, "gb18030", "text/html; charset=ISO-8859-1"),  # any bytes decode as Latin-1
        (ZH_HANS, "gbk", "text/html; charset=windows-1252"),
        (JA, "shift_jis", "text/html; charset=iso-8859-1"),
        (ZH_HANT, "big5", "text/html; charset=latin1"),
    ],
)
def test_decode_recovers_cjk_text(text: str, encoding: str, declared: str | None) -> None:
    decoded, _ = decode(f"<p>{text}</p>".encode(encoding), declared)
    assert decoded == f"<p>{text}</p>"


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("Le café coûte 2 €, déjà payé à l'hôtel.", "windows-1252"),
        ("Grüße aus München: Straße, Größe, Übermaß.", "iso-8859-1"),
        ("Привет, мир: новости искусственного интеллекта", "windows-1251"),
    ],
)
def test_decode_keeps_a_right_single_byte_declaration(text: str, declared: str) -> None:
    """Doubting a Latin-1 declaration must not turn real Latin-1 text into CJK."""
    decoded, _ = decode(f"<p>{text}</p>".encode(declared), f"text/html; charset={declared}")
    assert decoded == f"<p>{text}</p>"


@pytest.mark.parametrize(
    ("markup", "clean"),
    [
        ("a&#xFFFF;b", "a\ufffdb"),
        ("a&#xfffe;b&#65535;c", "a\ufffdb\ufffdc"),
        ("a\x00b\x01c", "a\ufffdb\ufffdc"),
        ("a&#0;b&#x0;c&#1;", "a\ufffdb\ufffdc\ufffd"),
        ("a&#xD800;b&#56320;c\udc00", "a\ufffdb\ufffdc\ufffd"),
        ("a&#x110000;b&#x1FFFF;c", "a\ufffdb\ufffdc"),
        ("a&#" + "9" * 5000 + ";b&#x0000000041;", "a\ufffdb&#x0000000041;"),
        (
            "&#12354; &#x3042; &#x1F600; &amp; &#9;\t\n\r\x0c",
            "&#12354; &#x3042; &#x1F600; &amp; &#9;\t\n\r\x0c",
        ),
    ],
)
def test_clean_characters_replaces_only_what_no_text_may_hold(markup: str, clean: str) -> None:
    assert clean_characters(markup) == clean


def test_decode_meta_charset_without_header() -> None:
    page = f'<html><head><meta charset="shift_jis"></head><body>{JA}</body></html>'
    decoded, used = decode(page.encode("shift_jis"))
    assert JA in decoded and used == "cp932"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("百度、新型AIモデル発表", "ja"),
        ("中国政府 生成AI規制強化", "ja"),  # kanji-only headline
        ("華為 新型AI半導体 量産開始", "ja"),
        ("経産省 半導体輸出規制 強化方針", "ja"),
        ("百度发布新一代文心大模型", "zh-Hans"),
        ("国家网信办发布人工智能生成合成内容标识办法", "zh-Hans"),
        ("台積電先進製程訂單滿載", "zh-Hant"),
        ("騰訊 混元大模型 開源", "zh-Hant"),
        ("Baidu releases a new Ernie reasoning model", "en"),
        ("12345 !!! ---", "other"),
        ("", "other"),
        ("\x00\x01 🤖🤖 42", "other"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://News.Example.JP/a/1?utm_source=x&utm_medium=y#top",
            "https://news.example.jp/a/1",
        ),
        ("https://example.cn:443/p?id=3&spm=a2c.b&fbclid=z", "https://example.cn/p?id=3"),
        ("http://example.cn:8080/p?b=2&a=1", "http://example.cn:8080/p?b=2&a=1"),
        ("https://example.jp", "https://example.jp/"),
        (
            "https://example.jp/a?id=1&_ga=2.3&_gl=1*x&mkt_tok=abc&MSCLKID=1&igshid=2&ttclid=3",
            "https://example.jp/a?id=1",
        ),
        (
            "https://example.cn/a?spm_id_from=333&mc_cid=1&mc_eid=2&id=5",
            "https://example.cn/a?id=5",
        ),
        ("https://example.cn/a?gallery=1&uid=2", "https://example.cn/a?gallery=1&uid=2"),
    ],
)
def test_canonicalize_drops_tracking_and_fragment(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical


def test_feed_links_rss_atom_rdf_and_broken() -> None:
    assert feed_links(rss("http://h", ["/a", "/b"])) == ["http://h/a", "http://h/b"]
    assert feed_links(atom("http://h", ["/c"])) == ["http://h/c"]
    rdf = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://h/d"><title>t</title></item>'
        b"</rdf:RDF>"
    )
    assert feed_links(rdf) == ["http://h/d"]
    assert feed_links(b"<rss><channel><item><ti") == []
    assert feed_links(b"\x00\x01binary") == []


@pytest.mark.parametrize(
    ("link", "read"),
    [
        ("http://h/a?id=7&fbclid=abc", "http://h/a?id=7&fbclid=abc"),
        ("http://h/a?id=7&amp;b=2&#38;c=3", "http://h/a?id=7&b=2&c=3"),
        ("http://h/a?x=1&undefined;y=2", "http://h/a?x=1&undefined;y=2"),
        ("http://h/a?x=1&nbsp;y", "http://h/a?x=1&nbsp;y"),
        ("<![CDATA[http://h/a?x=1&y=2&amp;]]>", "http://h/a?x=1&y=2&amp;"),
    ],
)
def test_feed_links_kept_as_the_feed_wrote_them(link: str, read: str) -> None:
    body = f"<rss><channel><item><title>a & b</title><link>{link}</link></item></channel></rss>"
    assert read_feed(body.encode()) == [read]


def test_entry_points_refused_with_a_reason() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<urlset><url><loc>http://h/&b;</loc></url></urlset>"
    )
    with pytest.raises(EntryPointError, match="declares XML entities"):
        sitemap_entries(laughs, 1_000_000)
    import gzip

    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000)
    with pytest.raises(EntryPointError, match="decompresses to more than 1000000 bytes"):
        sitemap_entries(bomb, 1_000_000)
    with pytest.raises(EntryPointError, match="empty sitemap"):
        sitemap_entries(b"<urlset></urlset>", 1_000_000)
    with pytest.raises(EntryPointError, match="empty feed"):
        read_feed(b"")
    deep = b"<urlset>" + b"<a>" * 300 + b"</a>" * 300 + b"</urlset>"
    with pytest.raises(EntryPointError, match="refused by the XML parser"):
        sitemap_entries(deep, 1_000_000)


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.path)
def test_extract_article_drops_boilerplate_keeps_zone(page) -> None:  # type: ignore[no-untyped-def]
    decoded, _ = decode(article_html(page, "http://h"), f"text/html; charset={page.declared}")
    article = extract(decoded, f"http://h{page.path}")
    assert article is not None
    assert article.title.startswith(page.title)
    for paragraph in page.paragraphs:
        assert paragraph in article.body
    site, nav, related, comments, rights = BOILERPLATE[page.lang]
    for boilerplate in (site, *nav, *related, *comments, rights):
        assert boilerplate not in article.body
    assert article.lang == page.lang
    assert article.published_at is not None
    expected_offset = timedelta(hours=9) if page.lang == "ja" else timedelta(hours=8)
    assert article.published_at.utcoffset() == expected_offset


def test_extract_same_page_three_times_same_text() -> None:
    """No state carried from page to page: trafilatura's de-duplication is per page."""
    pages = [article_html(PAGES[f"/hostile/repeat-{i}.html"], "http://h") for i in range(6)]
    first = [extract(page.decode(), "http://h/x") for page in pages]
    again = [extract(page.decode(), "http://h/x") for page in pages * 2]
    assert all(a is not None for a in first)
    assert again == first * 2


def test_extract_drops_furigana() -> None:
    page = (
        "<html><body><article><p>中国の<ruby>国家<rp>(</rp><rt>こっか</rt><rp>)</rp></ruby>"
        "インターネット情報弁公室は、生成AIの新しい規則を公表した。事業者は表示を求められる。</p>"
        "</article></body></html>"
    )
    article = extract(page, "http://h/x")
    assert article is not None
    assert "こっか" not in article.body and "中国の国家インターネット情報弁公室" in article.body


@pytest.mark.parametrize(
    "page", ["", "<html></html>", "<html><body><nav>a b c</nav></body></html>"]
)
def test_extract_returns_none_without_article(page: str) -> None:
    assert extract(page, "http://h/x") is None


@pytest.mark.parametrize(
    "head",
    [
        '<link rel="canonical" href="https://news.example.jp/a/1?utm_source=x">',
        "<link href='/a/1' rel='canonical'>",
        '<link rel="alternate stylesheet" href="/b"><link REL=Canonical HREF=/a/1>',
        '<link rel="canonical" href="/a/1#top"><meta charset="utf-8">',
    ],
)
def test_canonical_link_read_from_the_head_in_any_attribute_order(head: str) -> None:
    page = f"<html><head>{head}</head><body><p>本文</p></body></html>"
    assert canonical_link(page, "https://news.example.jp/x/9") == "https://news.example.jp/a/1"


def test_canonical_link_ignores_links_in_the_body_and_pages_without_one() -> None:
    body_only = '<html><head></head><body><link rel="canonical" href="/spam"></body></html>'
    assert canonical_link(body_only, "https://news.example.jp/x/9") is None
    assert canonical_link("<p>no head at all</p>", "https://news.example.jp/x/9") is None
