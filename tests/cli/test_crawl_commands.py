from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, NewsSite
from tests.crawler.stored_pages import publish, serve, stored_pages


def test_sources_add_list_remove(cli: Cli) -> None:
    assert cli("init").code == 0
    bundled = json.loads(cli("sources", "list", "--json").out)
    assert len(bundled) >= 10 and all(s["verified"] is False for s in bundled)
    added = cli(
        "sources",
        "add",
        "local",
        "--feed",
        "http://127.0.0.1:9/feed.rss",
        "--lang",
        "zh",
        "--every",
        "15m",
    )
    assert added.code == 0, added.err
    listing = cli(
        "sources",
        "add",
        "regulator",
        "--listing",
        "http://127.0.0.1:9/list",
        "--link-selector",
        "ul a",
        "--kind",
        "regulator",
    )
    assert listing.code == 0, listing.err
    rows = {s["name"]: s for s in json.loads(cli("sources", "list", "--json").out)}
    assert rows["local"]["lang"] == "zh-Hans" and rows["local"]["every"] == "15m"
    assert rows["regulator"]["kind"] == "regulator"
    assert cli("sources", "add", "local", "--feed", "http://x/").code == 1  # duplicate name
    assert cli("sources", "add", "x", "--listing", "http://x/").code == 2  # selector missing
    assert cli("sources", "add", "y").code == 2  # no entry point
    unknown = cli("sources", "add", "z", "--feed", "http://x/", "--publisher", "nope")
    assert unknown.code == 2 and "no publisher record 'nope'" in unknown.err
    assert cli("sources", "add", "z", "--feed", "http://x/", "--publisher", "nikkei").code == 0
    rows = {s["name"]: s for s in json.loads(cli("sources", "list", "--json").out)}
    assert rows["z"]["publisher"] == "nikkei" and rows["local"]["publisher"] is None
    assert cli("sources", "remove", "local").code == 0
    assert "local" not in {s["name"] for s in json.loads(cli("sources", "list", "--json").out)}


def test_sources_check_says_why_a_source_fails(tmp_path: Path, news_site: NewsSite) -> None:
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "good"\nfeeds = ["{news_site.base}/feed.rss"]\n'
        f'sitemaps = ["{news_site.base}/sitemap.xml"]\n'
        f'listings = [{{ url = "{news_site.base}/listing.html", link_selector = "li.news a" }}]\n'
        f'[[source]]\nname = "broken"\nfeeds = ["{news_site.base}/broken.rss"]\n'
        f'[[source]]\nname = "missing"\nfeeds = ["{news_site.base}/nope.rss"]\n'
        '[[source]]\nname = "down"\nfeeds = ["http://127.0.0.1:9/feed.rss"]\n'
    )
    cli = Cli(tmp_path / "aiwatch.toml")
    assert cli("init").code == 0
    result = cli("sources", "check", "--json")
    assert result.code == 1
    rows = {(r["source"], r["kind"]): r for r in json.loads(result.out)}
    assert rows[("good", "feed")]["ok"] and rows[("good", "feed")]["detail"] == "3 feed items"
    assert rows[("good", "sitemap")]["ok"] and rows[("good", "listing")]["ok"]
    assert rows[("broken", "feed")]["detail"] == "answered, but no feed items found"
    assert rows[("missing", "feed")]["detail"].startswith("HTTP 404")
    assert rows[("down", "feed")]["detail"].startswith("unreachable")
    assert cli("sources", "check", "good").code == 0


def test_sources_check_tries_publisher_rules_on_first_article(
    tmp_path: Path, news_site: NewsSite
) -> None:
    site = tmp_path / "site"
    with serve(site) as base:
        served = publish(site, base, stored_pages())
        people = next(url for url, page in served.items() if page.name == "People")
        (site / "people.rss").write_text(
            f'<rss version="2.0"><channel><title>人民网</title><item><link>{people}</link></item>'
            "</channel></rss>"
        )
        (site / "index.xml").write_text(
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap></sitemapindex>"
        )
        (tmp_path / "sources.toml").write_text(
            f'[[source]]\nname = "stored"\nsitemaps = ["{base}/sitemap.xml"]\nverified = false\n'
            f'[[source]]\nname = "indexed"\nsitemaps = ["{base}/index.xml"]\nverified = false\n'
            f'[[source]]\nname = "people"\npublisher = "people"\nfeeds = ["{base}/people.rss"]\n'
            "verified = false\n"
            f'[[source]]\nname = "changed"\npublisher = "people"\nfeeds = ["{news_site.base}/feed.rss"]\n'
            "verified = false\n"
        )
        cli = Cli(tmp_path / "aiwatch.toml")
        assert cli("init").code == 0
        result = cli("sources", "check", "--json")
    assert result.code == 1
    rows = {r["source"]: r for r in json.loads(result.out)}
    assert rows["stored"]["ok"] and rows["stored"]["items"] == len(served)
    assert rows["stored"]["first_article"] == f"{base}/AsahiShimbun.html"
    assert rows["stored"]["rules"] == "asahi-shimbun rules matched (paragraphs, authors)"
    assert rows["indexed"]["ok"] and rows["indexed"]["detail"] == "1 sitemap entries"
    assert rows["indexed"]["first_article"] == f"{base}/AsahiShimbun.html"
    assert rows["people"]["ok"] and rows["people"]["items"] == 1
    assert rows["people"]["rules"] == "people rules matched (paragraphs, date, authors)"
    assert not rows["changed"]["ok"] and rows["changed"]["items"] == 3
    assert rows["changed"]["rules"] == "people rules found nothing for paragraphs, date, authors"
    assert "Marked verified: stored, indexed, people" in result.err
    listed = {s["name"]: s["verified"] for s in json.loads(cli("sources", "list", "--json").out)}
    assert listed == {"stored": True, "indexed": True, "people": True, "changed": False}
