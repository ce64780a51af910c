"""Backups: the PostgreSQL database (pg_dump, custom format) and the uploads, in one dated
tar archive; and their restore into an empty database.

Archive layout: ``manifest.json`` (when, which database, the last migration of each
app), ``database.dump`` (``pg_restore`` reads it) and ``media/`` (MEDIA_ROOT as it was).
"""

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

ARCHIVE_PATTERN = re.compile(r"^phocap-\d{8}-\d{6}\.tar$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class PgTarget:
    name: str
    host: str
    port: str
    user: str
    password: str

    @classmethod
    def of(cls, alias: str = DEFAULT_DB_ALIAS) -> "PgTarget":
        connection = connections[alias]
        if connection.vendor != "postgresql":
            raise BackupError(_("Sao lưu cần PostgreSQL (DATABASE_URL=postgres://…); cơ sở dữ liệu này là "
                                "%(vendor)s.") % {"vendor": connection.vendor})
        s = connection.settings_dict
        return cls(name=s["NAME"], host=s.get("HOST") or "", port=str(s.get("PORT") or ""),
                   user=s.get("USER") or "", password=s.get("PASSWORD") or "")

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["-h", self.host]
        if self.port:
            out += ["-p", self.port]
        if self.user:
            out += ["-U", self.user]
        return out

    def env(self) -> dict:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _client_major(tool: str) -> int:
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True,  # noqa: S603
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(_("Chưa cài %(tool)s (Debian: apt-get install postgresql-client).") % {"tool": tool}) from exc
    match = re.search(r"\)\s+(\d+)", out)
    if not match:
        raise BackupError(_("Không đọc được phiên bản của %(tool)s: %(out)r.") % {"tool": tool, "out": out.strip()})
    return int(match.group(1))


def _check_client(tool: str, alias: str = DEFAULT_DB_ALIAS) -> None:
    """pg_dump refuses a newer server; say so before it fails half-way."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    client = _client_major(tool)
    if client < server:
        raise BackupError(_("%(tool)s %(client)s cũ hơn máy chủ PostgreSQL %(server)s; hãy cài "
                            "postgresql-client-%(server)s.") % {"tool": tool, "client": client, "server": server})


def _run(cmd: list[str], target: PgTarget) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, env=target.env())  # noqa: S603
    if result.returncode != 0:
        raise BackupError(_("%(cmd)s lỗi: %(err)s") % {"cmd": cmd[0], "err": result.stderr.strip()[-2000:]})


def _migrations_state() -> dict:
    state: dict = {}
    for app, name in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).migration_qs.values_list("app", "name"):
        state[app] = max(state.get(app, ""), name)
    return state


def backup(*, directory: Path | None = None, keep: int | None = None) -> Path:
    """Write phocap-YYYYmmdd-HHMMSS.tar into `directory`; keep the newest `keep` archives."""
    target = PgTarget.of()
    _check_client("pg_dump")
    directory = Path(directory or settings.BACKUP_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    final = directory / f"phocap-{stamp}.tar"
    partial = directory / f".phocap-{stamp}.tar.partial"
    with tempfile.TemporaryDirectory(prefix="phocap-backup-") as tmp:
        dump = Path(tmp) / "database.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump),
              *target.args(), target.name], target)
        manifest = Path(tmp) / "manifest.json"
        manifest.write_text(json.dumps({"created_at": timezone.now().isoformat(), "database": target.name,
                                        "migrations": _migrations_state()}, indent=1))
        with tarfile.open(partial, "w") as tar:
            tar.add(manifest, arcname="manifest.json")
            tar.add(dump, arcname="database.dump")
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
            else:
                empty = tarfile.TarInfo("media")
                empty.type, empty.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(empty)
    partial.rename(final)  # a crash half-way never leaves a file that looks like a backup
    if keep:
        archives = sorted(p for p in directory.iterdir() if ARCHIVE_PATTERN.match(p.name))
        for old in archives[:-keep]:
            old.unlink()
    return final


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
        return cursor.fetchone()[0] == 0


def restore(*, archive: Path) -> dict:
    """Restore `archive` into the configured database, which must be empty, and its uploads
    into MEDIA_ROOT, which must hold no file. Returns the archive's manifest."""
    target = PgTarget.of()
    _check_client("pg_restore")
    if not database_is_empty():
        raise BackupError(_("Cơ sở dữ liệu %(db)s không trống; chỉ khôi phục vào một cơ sở dữ liệu mới, trống "
                            "(createdb, rồi đặt DATABASE_URL trỏ tới nó).") % {"db": target.name})
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        raise BackupError(_("MEDIA_ROOT %(media)s đã có file; hãy khôi phục vào một thư mục trống.") % {"media": media})
    if not tarfile.is_tarfile(archive):
        raise BackupError(_("%(f)s không phải bản sao lưu phocap.") % {"f": archive})
    with tempfile.TemporaryDirectory(prefix="phocap-restore-") as tmp, tarfile.open(archive) as tar:
        names = set(tar.getnames())
        if not {"manifest.json", "database.dump"} <= names:
            raise BackupError(_("%(f)s không phải bản sao lưu phocap (không có manifest.json/database.dump).")
                              % {"f": archive})
        tar.extractall(tmp, filter="data")  # no absolute paths, links out or devices
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        connections[DEFAULT_DB_ALIAS].close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *target.args(), "-d", target.name, str(Path(tmp) / "database.dump")], target)
        restored_media = Path(tmp) / "media"
        if restored_media.is_dir():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(restored_media, media, dirs_exist_ok=True)
    return manifest
