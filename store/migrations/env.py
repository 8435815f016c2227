"""Alembic environment: aiwatch passes its own connection in `config.attributes`."""

from alembic import context

from store.models import Base

connection = context.config.attributes["connection"]


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """The FTS5 index and its shadow tables are created by hand in 0001, not by models."""
    return not (type_ == "table" and name is not None and name.startswith("articles_fts"))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
