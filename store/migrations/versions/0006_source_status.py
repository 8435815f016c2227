"""Each source's last crawl result, for `aiwatch status` and analysts: the view
v_source_status. A crawl of a source is now `ok`, `partial` (some pages failed) or `failed`
(none of its entry points could be read), with a one-line reason in `crawl_runs.error`;
the old `errors` status becomes `partial`.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE crawl_runs SET status = 'partial' WHERE status = 'errors'")
    op.execute(
        """CREATE VIEW v_source_status AS
SELECT s.name AS source, s.kind, s.lang, s.enabled,
       r.started_at AS last_crawl_at, r.finished_at, r.status, r.error AS reason,
       r.pages, r.new, r.duplicates, r.errors
FROM sources s
LEFT JOIN crawl_runs r
  ON r.id = (SELECT max(c.id) FROM crawl_runs c WHERE c.source_id = s.id)"""
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_source_status")
    op.execute("UPDATE crawl_runs SET status = 'errors' WHERE status = 'partial'")
