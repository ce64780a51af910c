"""Set-based writes for the import merge: COPY on PostgreSQL, executemany elsewhere.

Only the merge service uses these; they write rows the service has already validated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.db import connection

CHUNK = 20_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows into `table` (COPY on PostgreSQL). Returns the number written."""
    total = 0
    chunk: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                total += _flush(cursor, table, columns, chunk)
                chunk = []
        if chunk:
            total += _flush(cursor, table, columns, chunk)
    return total


def _flush(cursor, table, columns, rows) -> int:
    if is_postgres():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for row in rows:
            writer.writerow(["\\N" if v is None else v for v in row])
        buf.seek(0)
        cols = ", ".join(qn(c) for c in columns)
        with connection.wrap_database_errors:  # psycopg2 errors → django.db.IntegrityError etc.
            cursor.cursor.copy_expert(f"COPY {qn(table)} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)
    else:
        cols = ", ".join(qn(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def allocate_ids(table: str, n: int) -> list[int]:
    """n fresh primary keys for `table` (the caller holds the commune lock; on SQLite the
    write transaction is exclusive)."""
    if n == 0:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")  # noqa: S608
        start = cursor.fetchone()[0]
        # AUTOINCREMENT's counter may be ahead of MAX(id) after deletions.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(start, seq[0] if seq else 0)
        return list(range(start + 1, start + 1 + n))


def temp_table(name: str, columns: Sequence[tuple[str, str]]) -> None:
    cols = ", ".join(f"{qn(c)} {t}" for c, t in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {qn(name)}")
        suffix = " ON COMMIT DROP" if is_postgres() else ""
        cursor.execute(f"CREATE TEMPORARY TABLE {qn(name)} ({cols}){suffix}")


def drop_temp(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {qn(name)}")


def execute(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
