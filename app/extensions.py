"""Flask extensions, created unbound and attached in create_app()."""

import click
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so migrations can alter them the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# expire_on_commit=False: a page that commits (say, a visit) and then renders does not reload
# every object it already holds from the database.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


class Migrate:
    """Flask-Migrate, with Alembic (10 MiB a process), imported only where the schema changes:
    by `flask db …` and flask_migrate.upgrade(), never by a web worker."""

    def init_app(self, app, db, **options) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, options)
        app.cli.add_command(_MigrateCommands("db", help="Perform database migrations."))


class _PendingMigrate:
    """Stands in app.extensions["migrate"]: the first attribute asked for sets up the real one."""

    def __init__(self, app, db, options):
        self._setup = (app, db, options)

    def __getattr__(self, name):
        from flask_migrate import Migrate as FlaskMigrate

        app, db, options = self._setup
        FlaskMigrate(app, db, **options)  # replaces this stand-in in app.extensions
        return getattr(app.extensions["migrate"], name)


class _MigrateCommands(click.Group):
    """`flask db`: Flask-Migrate's own commands, imported when one is run."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def parse_args(self, ctx, args):
        real = self._commands()
        self.params, self.callback = real.params, real.callback  # -d DIRECTORY, -x ARG
        return super().parse_args(ctx, args)

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)  # storage: Redis when REDIS_URL is set
compress = Compress()  # gzip/brotli for text: most learners are on slow mobile links
