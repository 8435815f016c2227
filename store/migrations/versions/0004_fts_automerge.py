"""SQLite full-text index: merge its segments less eagerly.

FTS5 merges index segments while articles are inserted; with the default (automerge 4)
that merging was a fifth of the cost of storing an article. 16 halves the merge work per
insert for a few more segments to read per search, which stays in milliseconds.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _automerge(segments: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', {segments})")


def upgrade() -> None:
    _automerge(16)


def downgrade() -> None:
    _automerge(4)
