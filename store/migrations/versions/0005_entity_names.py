"""Every name of every entity, one row each, and the views that expose names and the
articles behind each event.

`entity_names` lets a query in any script (ファーウェイ, 華為, Huawei) find the entity by an
indexed column instead of scanning JSON aliases, on SQLite and PostgreSQL alike.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_names",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(10), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("folded", sa.String(300), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entity_id", "lang", "name"),
    )
    op.create_index("ix_entity_names_folded", "entity_names", ["folded"])
    op.execute(
        """CREATE VIEW v_entity_names AS
        SELECT e.key AS entity_key, n.lang, n.name, n.preferred
        FROM entity_names n JOIN entities e ON e.id = n.entity_id"""
    )
    op.execute(
        "CREATE VIEW v_event_articles AS SELECT event_id, article_id FROM event_articles"
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_event_articles")
    op.execute("DROP VIEW IF EXISTS v_entity_names")
    op.drop_index("ix_entity_names_folded", table_name="entity_names")
    op.drop_table("entity_names")
