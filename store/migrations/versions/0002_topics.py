"""Topics: themes above stories, and the views v_topics and v_story_topics.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label_ja", sa.Text(), nullable=False),
        sa.Column("label_zh", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "story_topics",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"]),
        sa.PrimaryKeyConstraint("story_id"),
    )
    op.create_index("ix_story_topics_topic_id", "story_topics", ["topic_id"])
    op.execute(
        """CREATE VIEW v_topics AS
        SELECT t.id AS topic_id, t.label_ja, t.label_zh,
               (SELECT count(*) FROM story_topics x WHERE x.topic_id = t.id) AS n_stories,
               (SELECT count(*) FROM story_topics x
                JOIN article_stories a ON a.story_id = x.story_id
                WHERE x.topic_id = t.id) AS n_articles,
               (SELECT min(s.first_seen) FROM story_topics x JOIN stories s ON s.id = x.story_id
                WHERE x.topic_id = t.id) AS first_seen,
               (SELECT max(s.last_seen) FROM story_topics x JOIN stories s ON s.id = x.story_id
                WHERE x.topic_id = t.id) AS last_seen
        FROM topics t WHERE t.active"""
    )
    op.execute("CREATE VIEW v_story_topics AS SELECT story_id, topic_id FROM story_topics")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_story_topics")
    op.execute("DROP VIEW IF EXISTS v_topics")
    op.drop_index("ix_story_topics_topic_id", table_name="story_topics")
    op.drop_table("story_topics")
    op.drop_table("topics")
