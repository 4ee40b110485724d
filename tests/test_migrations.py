from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_models_and_migrations_agree(app_ctx):
    """The session's database was built by `flask db upgrade` alone; the models must match it."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_built_every_table(app_ctx):
    tables = set(db.inspect(db.engine).get_table_names())
    assert {"users", "module_progress", "attempts", "competence_scores", "certificates",
            "alembic_version"} <= tables
