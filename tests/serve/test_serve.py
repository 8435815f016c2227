"""`aiwatch serve` on a store filled from the demo news site (served on 127.0.0.1), driven
by a real headless Chromium; the Atom feed read back with feedparser."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from aiwatch.serve.metadata import QUERIES
from tests.conftest import Cli

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="Debian's chromium and chromium-driver (.ci/run)"
)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled by one real cycle over the demo site: crawl, NLP, alerts."""
    home = tmp_path_factory.mktemp("demo")
    result = Cli(home / "unused.toml")("demo", "--keep", str(home))
    assert result.code == 0, result.err
    return home / "aiwatch.toml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_store: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "AIWATCH_CONFIG": str(demo_store)}
    log = (demo_store.parent / "serve.log").open("wb")  # a full pipe would stall the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiwatch", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            assert proc.poll() is None, (demo_store.parent / "serve.log").read_text()
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _database(server: str) -> str:
    status, body = _get(server + "/-/databases.json")
    assert status == 200
    return json.loads(body)[0]["name"]


@needs_browser
def test_home_queries_dashboard_and_cross_script_search_in_a_browser(
    server: str, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    db = _database(server)
    driver.get(server + "/")  # type: ignore[attr-defined]
    assert "aiwatch" in driver.title  # type: ignore[attr-defined]
    driver.save_screenshot(str(tmp_path / "home.png"))  # type: ignore[attr-defined]
    params = {
        "releases_by_company": {"org_key": "org:moonshot-ai"},
        "regulation_timeline": {"law_key": "law:cn-ai-content-labeling-measures"},
        "story": {"story_id": "1"},
        "entity": {"entity_key": "org:huawei"},
        "articles_by_entity": {"name": "ファーウェイ"},
        "search": {"q": "昇腾"},
    }
    for name in QUERIES:
        query = urllib.parse.urlencode(params.get(name, {}))
        driver.get(f"{server}/{db}/{name}?{query}")  # type: ignore[attr-defined]
        table = WebDriverWait(driver, 20).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns"))
        )
        driver.save_screenshot(str(tmp_path / f"{name}.png"))  # type: ignore[attr-defined]
        if name == "articles_by_entity":
            assert "华为" in table.text  # ファーウェイ finds the Chinese article
        if name in ("latest_events", "search"):
            assert table.find_elements(By.CSS_SELECTOR, "tbody tr")
    driver.get(server + "/-/dashboards/overview")  # type: ignore[attr-defined]
    WebDriverWait(driver, 30).until(
        ec.presence_of_element_located(
            (By.CSS_SELECTOR, ".dashboard-grid svg, .dashboard-grid canvas")
        )
    )
    driver.save_screenshot(str(tmp_path / "dashboard.png"))  # type: ignore[attr-defined]


def test_views_and_columns_are_described_from_the_docs(server: str) -> None:
    db = _database(server)
    status, body = _get(f"{server}/-/metadata.json")
    assert status == 200
    tables = json.loads(body)["databases"][db]["tables"]
    assert tables["v_events"]["columns"]["org_key"] == (
        "the releasing organisation, or the issuing body of a regulation"
    )
    assert tables["v_events"]["columns"]["law_key"].startswith("the law or rule (regulation); ")
    assert "v_entity_names" in tables and tables["v_events"]["facets"] == [
        "type",
        "stage",
        "org_key",
    ]


def test_two_character_search_falls_back_to_like(server: str) -> None:
    db = _database(server)
    query = urllib.parse.urlencode({"q": "华为", "_shape": "array"})
    status, body = _get(f"{server}/{db}/search.json?{query}")
    assert status == 200
    assert [row["title"] for row in json.loads(body)] == ["华为昇腾芯片出货量大增"]


def test_nothing_served_can_write(server: str, demo_store: Path) -> None:
    db = _database(server)
    store = demo_store.parent / "aiwatch.db"
    before = store.stat().st_mtime_ns, store.read_bytes()
    attempts = [
        (f"{server}/{db}/events/-/insert", b'{"row": {"type": "x"}}'),
        (f"{server}/{db}/latest_events", b"x=1"),
        (f"{server}/{db}/v_events", b"x=1"),
    ]
    for url, data in attempts:
        request = urllib.request.Request(url, data=data, method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError(f"POST {url} was accepted")
        except urllib.error.HTTPError as exc:
            assert exc.code >= 400, (url, exc.code)  # refused (CSRF, no such route, 405)
    sql = urllib.parse.urlencode({"sql": "DELETE FROM events"})
    status, _body = _get(f"{server}/{db}.json?{sql}")
    assert status >= 400
    assert (store.stat().st_mtime_ns, store.read_bytes()) == before


# (id, path, query): each is refused, or answers nothing it should not; {db} is the
# database, {dir} a directory nothing may appear in.
WEB_ATTACKS = [
    ("sql-attach", "/{db}.json", {"sql": "ATTACH DATABASE '{dir}/attached.db' AS x"}),
    ("sql-vacuum-into", "/{db}.json", {"sql": "VACUUM INTO '{dir}/copy.db'"}),
    (
        "sql-writable-cte",
        "/{db}.json",
        {"sql": "WITH d AS (DELETE FROM events RETURNING 1) SELECT 1"},
    ),
    ("sql-stacked", "/{db}.json", {"sql": "SELECT 1 /* ; */; DELETE FROM events"}),
    ("sql-pragma-write", "/{db}.json", {"sql": "SELECT * FROM pragma_query_only(0)"}),
    (
        "sql-pragma-uri-attach",
        "/{db}.json",
        {"sql": "SELECT * FROM pragma_table_info('events', 'file:{dir}/made.db?mode=rwc')"},
    ),
    ("sql-load-extension", "/{db}.json", {"sql": "SELECT load_extension('{dir}/x')"}),
    ("sort-injection", "/{db}/events.json", {"_sort": "id; DROP TABLE events"}),
    ("sort-desc-injection", "/{db}/events.json", {"_sort_desc": "id) UNION SELECT 1 --"}),
    ("where-stacked", "/{db}/events.json", {"_where": "1=1); DELETE FROM events; --"}),
    ("canned-field-injection", "/{db}/releases_by_company.json", {"org_key": "x' OR 1=1 --"}),
    ("canned-search-injection", "/{db}/search.json", {"q": '" OR 1=1 --'}),
    (
        "canned-with-sql",
        "/{db}/releases_by_company.json",
        {"org_key": "org:nobody", "sql": "SELECT * FROM events"},
    ),
    ("feed-subscription-injection", "/-/aiwatch/events.atom", {"subscription": "x' OR '1'='1"}),
    ("static-traversal", "/-/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", {}),
    (
        "plugin-static-traversal",
        "/-/static-plugins/datasette_dashboards/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        {},
    ),
    ("story-traversal", "/-/aiwatch/story/..%2f..%2f..%2fetc%2fpasswd", {}),
]


@pytest.mark.parametrize(
    ("path", "query"), [a[1:] for a in WEB_ATTACKS], ids=[a[0] for a in WEB_ATTACKS]
)
def test_web_attacks_change_nothing_and_read_nothing_outside(
    server: str, demo_store: Path, tmp_path: Path, path: str, query: dict[str, str]
) -> None:
    db = _database(server)
    store = demo_store.parent / "aiwatch.db"
    before = store.read_bytes()
    fill = {k: v.replace("{dir}", str(tmp_path)) for k, v in query.items()}
    url = server + path.replace("{db}", db) + ("?" + urllib.parse.urlencode(fill) if fill else "")
    status, body = _get(url)
    assert b"root:x:0:0" not in body
    if status < 400:  # answered: with nothing the injection should have added
        if path.endswith(".atom"):
            assert feedparser.parse(body).entries == []
        else:
            assert json.loads(body)["rows"] == []
    assert store.read_bytes() == before
    assert list(tmp_path.iterdir()) == []


def test_server_listens_on_loopback_only(server: str) -> None:
    """The kernel's table of listening sockets (no other address is touched)."""
    port = int(server.rsplit(":", 1)[1])
    listening = [
        line.split()[1]
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        for line in Path(table).read_text().splitlines()[1:]
        if line.split()[3] == "0A" and int(line.split()[1].rsplit(":", 1)[1], 16) == port
    ]
    assert listening == [f"0100007F:{port:04X}"]


def _request(url: str, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Host": host} if host else {}
    data = b"q=x" if method == "POST" else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/", "/{db}", "/{db}/search?q=abc", "/{db}/articles", "/-/aiwatch/events.atom"])
def test_only_reading_methods_are_answered(
    server: str, demo_store: Path, method: str, path: str
) -> None:
    store = demo_store.parent / "aiwatch.db"
    before = store.read_bytes()
    status, headers, body = _request(server + path.replace("{db}", _database(server)), method)
    assert (status, headers.get("Allow")) == (405, "GET, HEAD"), body
    assert b"read-only" in body
    assert store.read_bytes() == before


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 403),  # a DNS name pointed at 127.0.0.1 (DNS rebinding)
        ("evil.example:{port}", 403),
        ("localhost:{port}", 200),
        ("127.0.0.1:{port}", 200),
        ("[::1]:{port}", 200),
    ],
)
def test_a_loopback_server_answers_loopback_host_names_only(
    server: str, host: str, status: int
) -> None:
    port = server.rsplit(":", 1)[1]
    url = f"{server}/{_database(server)}/search.json?q=abc"
    answered, _, body = _request(url, host=host.replace("{port}", port))
    assert answered == status, body


def test_atom_feed_served_and_written_is_valid(
    server: str, demo_store: Path, tmp_path: Path
) -> None:
    status, body = _get(server + "/-/aiwatch/events.atom?subscription=demo")
    assert status == 200
    served = feedparser.parse(body)
    assert not served.bozo, served.bozo_exception
    assert served.entries and all(
        e.id.startswith("tag:aiwatch,2026:event/") for e in served.entries
    )
    assert len({e.id for e in served.entries}) == len(served.entries)
    assert all(link.href.startswith("http://127.0.0.1") for e in served.entries for link in e.links)
    output = tmp_path / "events.atom"
    result = Cli(demo_store)("feed", "--output", str(output))
    assert result.code == 0, result.err
    written = feedparser.parse(output.read_bytes())
    assert [e.id for e in written.entries] == [e.id for e in served.entries]
    assert written.entries[0].updated.endswith("+09:00")  # [display] timezone, Asia/Tokyo
    unknown = Cli(demo_store)("feed", "--subscription", "nobody")
    assert unknown.code == 1 and "no subscription named 'nobody'" in unknown.err
