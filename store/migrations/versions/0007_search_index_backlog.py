"""SQLite full-text index: filled by the NLP stage, not by the crawl's writes.

The trigram index cost about three quarters of the time the crawl spent storing an article
(3.3 of 4.4 ms). Storing an article now only notes its id in `articles_fts_pending`; the
NLP stage (`aiwatch process`, each daemon cycle) adds the noted articles to the index in a
few statements (store.search.index_pending). Until then, search reads the noted articles
with LIKE, so every stored article can be found at any time. An article that is changed or
deleted before it is indexed is never put into the index with stale text.
PostgreSQL's pg_trgm indexes are unchanged.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE articles_fts_pending (article_id INTEGER PRIMARY KEY)")
    _replace_triggers(deferred=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        """INSERT INTO articles_fts(rowid, title, body)
        SELECT a.id, a.title, a.body FROM articles a
        JOIN articles_fts_pending p ON p.article_id = a.id"""
    )
    _replace_triggers(deferred=False)
    op.execute("DROP TABLE articles_fts_pending")


def _replace_triggers(*, deferred: bool) -> None:
    """The index's triggers: `deferred`, a write only notes the article (this revision);
    else it indexes the article at once (0001)."""
    if deferred:
        add_new = "INSERT OR IGNORE INTO articles_fts_pending(article_id) VALUES (new.id);"
        indexed = " WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE article_id = old.id)"
        forget = "DELETE FROM articles_fts_pending WHERE article_id = old.id;"
    else:
        add_new = "INSERT INTO articles_fts(rowid, title, body) SELECT new.id, new.title, new.body;"
        indexed = forget = ""
    remove_old = (  # only what the index holds may be removed from it
        "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
        f"SELECT 'delete', old.id, old.title, old.body{indexed};"
    )
    bodies = {
        "insert": ("AFTER INSERT", add_new),
        "delete": ("AFTER DELETE", f"{remove_old} {forget}"),
        "update": ("AFTER UPDATE OF title, body", f"{remove_old} {add_new}"),
    }
    for name, (when, body) in bodies.items():
        op.execute(f"DROP TRIGGER articles_fts_{name}")
        op.execute(f"CREATE TRIGGER articles_fts_{name} {when} ON articles BEGIN {body} END")
