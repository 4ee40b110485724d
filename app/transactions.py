"""PostgreSQL: reads without a transaction, writes in one.

psycopg 3 normally sends BEGIN before a request's first query, and the request ends with
ROLLBACK: two round trips for a page that only reads. The connections run in autocommit
instead, and the first statement that writes or locks (INSERT, UPDATE, DELETE, SELECT … FOR
UPDATE, SAVEPOINT) opens a transaction with an explicit BEGIN; the session's commit() then
sends COMMIT and its rollback() ROLLBACK, as before. psycopg's commit() and rollback() are free
when no transaction is open, so a read-only request costs its SELECTs and nothing more.

Reads before the first write run each in its own snapshot: the same as READ COMMITTED, the
isolation level the app has always used, where every statement sees a fresh snapshot anyway.
"""

from __future__ import annotations

import sqlalchemy as sa

_READ = ("SELECT", "WITH", "SHOW")
# Never inside a transaction: the ones PostgreSQL refuses there, and session-level commands.
_OUTSIDE = ("VACUUM", "ANALYZE", "CREATE DATABASE", "DROP DATABASE", "ALTER SYSTEM", "REINDEX",
            "BEGIN", "START", "COMMIT", "ROLLBACK", "END", "SET ", "RESET", "DISCARD", "LISTEN")


def writes(statement: str) -> bool:
    """Whether a statement must run inside a transaction (it writes, or it takes row locks)."""
    head = statement.lstrip()[:15].upper()
    if head.startswith(_OUTSIDE) or "CONCURRENTLY" in statement[:60].upper():
        return False
    if head.startswith(_READ):
        return " FOR UPDATE" in statement or " FOR SHARE" in statement or (
            head.startswith("WITH") and any(w in statement for w in ("INSERT", "UPDATE", "DELETE")))
    return True


def init_engine(engine: sa.Engine) -> None:
    """Open a transaction in front of the first statement that needs one (autocommit engine)."""
    from psycopg.pq import TransactionStatus  # only on PostgreSQL

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writes(_conn, cursor, statement, _parameters, _context, _executemany):
        if (cursor.connection.info.transaction_status is TransactionStatus.IDLE
                and writes(statement)):
            cursor.execute("BEGIN")
