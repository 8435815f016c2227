"""Datasette's metadata for the store, generated from docs/schema.md at serve time so the
documentation and the browsing UI never disagree: every documented view with its
description and column meanings, the analysts' canned queries (read-only, with form
fields), facets, full-text search on articles, and the dashboards."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

SCHEMA_DOC = Path(__file__).parents[2] / "docs" / "schema.md"
_SECTION = re.compile(r"^## (v_\w+)\n(.*?)(?=^## |\Z)", re.M | re.S)
_ROW = re.compile(r"^\| ([a-z_ /]+) \| (.+?) \|$", re.M)

FACETS = {
    "v_events": ["type", "stage", "org_key"],
    "v_articles": ["lang", "source"],
    "v_mentions": ["entity_type"],
    "v_entity_names": ["lang"],
    "v_alerts": ["subscription", "status"],
}

# Searching: terms of three characters or more use the trigram index; shorter ones (two-
# character Chinese words such as 百度) cannot, and fall back to LIKE, as `aiwatch search` does;
# so do the articles stored since the NLP stage last ran, which are not indexed yet.
SEARCH_SQL = """SELECT a.article_id, a.published_at, a.lang, a.source, a.title, a.url
FROM v_articles a
WHERE CASE WHEN length(:q) >= 3
  THEN a.article_id IN (SELECT rowid FROM articles_fts
                        WHERE articles_fts MATCH '"' || replace(:q, '"', '""') || '"')
    OR a.article_id IN (SELECT id FROM articles
                        WHERE id IN (SELECT article_id FROM articles_fts_pending)
                          AND (title LIKE '%' || :q || '%' OR body LIKE '%' || :q || '%'))
  ELSE a.article_id IN (SELECT id FROM articles WHERE title LIKE '%' || :q || '%'
                        OR body LIKE '%' || :q || '%') END
ORDER BY a.published_at DESC LIMIT 200"""

QUERIES: dict[str, dict[str, Any]] = {
    "latest_events": {
        "title": "Latest events",
        "description": "Model releases and regulation steps, newest first.",
        "sql": """SELECT event_id, type, org_key, model_key, law_key, stage, event_date,
  story_id, n_articles, first_reported_at, confidence FROM v_events
ORDER BY first_reported_at DESC LIMIT 100""",
    },
    "releases_by_company": {
        "title": "Model releases by company over time",
        "description": "Every model release of one organisation (its key, e.g. org:alibaba).",
        "sql": """SELECT substr(event_date, 1, 7) AS month, model_key, event_date, story_id,
  n_articles FROM v_events
WHERE type = 'model_release' AND org_key = :org_key ORDER BY event_date""",
    },
    "regulation_timeline": {
        "title": "A regulation's timeline",
        "description": "Every stage of one law or rule (its key, e.g. "
        "law:cn-ai-content-labeling-measures), in date order.",
        "sql": """SELECT event_date, stage, org_key, n_articles, story_id, evidence FROM v_events
WHERE type = 'regulation' AND law_key = :law_key ORDER BY event_date""",
    },
    "story": {
        "title": "One story",
        "description": "A story's articles in every language, oldest first.",
        "sql": """SELECT a.article_id, a.published_at, a.lang, a.source, a.title, a.url
FROM v_articles a WHERE a.story_id = :story_id ORDER BY a.published_at""",
    },
    "entity": {
        "title": "One entity: its names and its mentions over time",
        "description": "Articles naming the entity per month, with every name it goes by.",
        "sql": """SELECT substr(a.published_at, 1, 7) AS month,
  count(DISTINCT m.article_id) AS articles,
  (SELECT group_concat(name, ' / ') FROM v_entity_names n
   WHERE n.entity_key = :entity_key) AS names
FROM v_mentions m JOIN v_articles a USING (article_id)
WHERE m.entity_key = :entity_key GROUP BY month ORDER BY month""",
    },
    "articles_by_entity": {
        "title": "Articles by entity, in any script",
        "description": "Any name of an entity (ファーウェイ, 華為, Huawei) finds the articles "
        "that mention it however they write it.",
        "sql": """SELECT DISTINCT a.article_id, a.published_at, a.lang, a.title, a.url,
  m.entity_key, m.surface
FROM v_entity_names n JOIN v_mentions m ON m.entity_key = n.entity_key
JOIN v_articles a ON a.article_id = m.article_id
WHERE lower(n.name) = lower(trim(:name)) ORDER BY a.published_at DESC LIMIT 200""",
    },
    "search": {
        "title": "Search articles",
        "description": "Full text over titles and bodies, Japanese and Chinese included.",
        "sql": SEARCH_SQL,
    },
}


def _chart(title: str, sql: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": title,
        "db": "store",
        "query": sql,
        "library": "vega-lite",
        "display": {"mark": {"type": "bar", "tooltip": True}, **spec},
    }


def _stacked(x: str, y: str, color: str, x_type: str = "ordinal") -> dict[str, Any]:
    return {
        "encoding": {
            "x": {"field": x, "type": x_type},
            "y": {"field": y, "type": "quantitative"},
            "color": {"field": color, "type": "nominal"},
        }
    }


CHARTS = {
    "releases": _chart(
        "Model releases per month, by company",
        """SELECT substr(event_date, 1, 7) AS month, coalesce(org_key, '?') AS org,
  count(*) AS releases FROM v_events WHERE type = 'model_release' GROUP BY month, org""",
        _stacked("month", "releases", "org"),
    ),
    "regulation": _chart(
        "Regulation steps per month, by issuer",
        """SELECT substr(event_date, 1, 7) AS month, coalesce(org_key, '?') AS issuer,
  count(*) AS steps FROM v_events WHERE type = 'regulation' GROUP BY month, issuer""",
        _stacked("month", "steps", "issuer"),
    ),
    "articles": _chart(
        "Articles per day, by language",
        """SELECT substr(coalesce(published_at, fetched_at), 1, 10) AS day, lang,
  count(*) AS articles FROM v_articles GROUP BY day, lang""",
        _stacked("day", "articles", "lang"),
    ),
    "stories": _chart(
        "Largest stories of the week",
        """SELECT label, n_articles FROM v_stories
WHERE last_seen >= datetime((SELECT max(last_seen) FROM v_stories), '-7 days')
ORDER BY n_articles DESC LIMIT 15""",
        {
            "encoding": {
                "y": {"field": "label", "type": "nominal", "sort": "-x"},
                "x": {"field": "n_articles", "type": "quantitative"},
            }
        },
    ),
}


def documented_views(text: str) -> dict[str, dict[str, Any]]:
    """{view: {"description": ..., "columns": {column: meaning}}} from docs/schema.md."""
    views = {}
    for name, body in _SECTION.findall(text):
        intro = body.split("\n|", 1)[0].strip()
        columns: dict[str, str] = {}
        for cells, meaning in _ROW.findall(body):
            if cells.strip() == "column":
                continue
            for column in cells.split("/"):
                columns[column.strip()] = meaning.strip()
        views[name] = {"description": intro, "columns": columns}
    return views


def metadata(database: str, plugin_config: dict[str, Any]) -> dict[str, Any]:
    views = documented_views(SCHEMA_DOC.read_text(encoding="utf-8"))
    tables: dict[str, Any] = {
        name: {**doc, **({"facets": FACETS[name]} if name in FACETS else {})}
        for name, doc in views.items()
    }
    tables["articles"] = {
        "description": "Every stored article (full text searchable).",
        "fts_table": "articles_fts",
        "fts_pk": "id",
        "facets": ["lang"],
    }
    charts = {key: {**chart, "db": database} for key, chart in CHARTS.items()}
    return {
        "title": "aiwatch",
        "description": "Chinese AI industry news in Japanese and Chinese: stories, model "
        "releases and regulation changes. Read-only; the views are documented in "
        "docs/schema.md.",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
        "plugins": {
            "datasette-dashboards": {
                "overview": {
                    "title": "aiwatch overview",
                    "description": "Releases, regulation steps, coverage and big stories.",
                    "layout": [["releases", "regulation"], ["articles", "stories"]],
                    "charts": charts,
                }
            },
            "aiwatch": plugin_config,
        },
    }
