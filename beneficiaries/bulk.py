"""Set-based writes for the import merge: COPY on PostgreSQL, executemany elsewhere.

Only the merge service uses these; they write rows the service has already validated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence
from itertools import islice

from django.db import connection

CHUNK = 20_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence], *,
               nullable: Collection[str] = ()) -> int:
    """Insert rows into `table` (COPY on PostgreSQL). Returns the number written.

    None is NULL; it may only appear in the `nullable` columns, where an empty string
    would also be read as NULL (callers pass None there, never "")."""
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if is_postgres():
            # One streamed COPY: rows are formatted block by block while PostgreSQL parses
            # the previous block (two processes on two cores instead of taking turns).
            # csv.writer writes None as an empty field: that is NULL, except in the
            # FORCE_NOT_NULL columns where it is "" (no per-value None check in Python).
            stream = _CsvStream(rows)
            not_null = [qn(c) for c in columns if c not in nullable]
            force = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
            with connection.wrap_database_errors:  # psycopg2 errors → django.db.IntegrityError etc.
                cursor.cursor.copy_expert(f"COPY {qn(table)} ({cols}) FROM STDIN WITH (FORMAT csv{force})",
                                          stream, size=COPY_BLOCK)
            return stream.count
        total = 0
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"  # noqa: S608
        rows = iter(rows)
        while chunk := list(islice(rows, CHUNK)):
            cursor.executemany(sql, chunk)
            total += len(chunk)
    return total


COPY_BLOCK = 1 << 16
ROWS_PER_READ = 500


class _CsvStream:
    """File-like object for copy_expert: formats the next rows as CSV on each read()."""

    def __init__(self, rows: Iterable[Sequence]):
        self._rows = iter(rows)
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\n")
        self.count = 0

    def read(self, size: int = COPY_BLOCK) -> str:
        buf, writerows, rows = self._buf, self._writer.writerows, self._rows
        buf.seek(0)
        buf.truncate()
        while buf.tell() < size and (chunk := list(islice(rows, ROWS_PER_READ))):
            writerows(chunk)  # in C, a whole chunk per call
            self.count += len(chunk)
        return buf.getvalue()


def allocate_ids(table: str, n: int) -> list[int]:
    """n fresh primary keys for `table` (the caller holds the commune lock; on SQLite the
    write transaction is exclusive)."""
    if n == 0:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            # Look the sequence up once: pg_get_serial_sequence() per generated row cost
            # 0.8 s per 100k ids, nextval on the regclass 0.1 s.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n])
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
