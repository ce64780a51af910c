"""Backup and restore: the demo backed up, restored into a fresh database, and every figure
equal afterwards (PostgreSQL only: pg_dump/pg_restore)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def figures() -> dict:
    """What a restore must give back: each programme's fund totals and coverage rows, and the
    row counts of the tables they come from."""
    from beneficiaries.models import Household
    from distribution.models import Device, Handout
    from donations.selectors import programme_totals
    from phocap.programmes.models import Programme
    from programme_coverage.models import FIGURES, CoverageSummary

    out = {"households": Household.objects.count(), "devices": Device.objects.count(),
           "handouts": Handout.objects.count(), "programmes": {}}
    for programme in Programme.objects.order_by("pk"):
        rows = (CoverageSummary.objects.filter(programme=programme)
                .order_by("commune__path").values_list("commune__path", *FIGURES, "target_adults"))
        out["programmes"][str(programme.pk)] = {"fund": programme_totals(programme),
                                                "coverage": [list(r) for r in rows]}
    return out


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _manage(*args, database_url: str, media_root: Path, check=True):
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "CACHE_URL"}}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), DEBUG="0",
               SECRET_KEY="restore-test-" + "x" * 40, ALLOWED_HOSTS="testserver", CONN_MAX_AGE="0")
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def restore_db():
    # phocap_<branch>_restore next to the configured database (test_ prefix dropped).
    name = connection.settings_dict["NAME"].removeprefix("test_") + "_restore"
    admin = ["-h", connection.settings_dict["HOST"] or "127.0.0.1", "-U", connection.settings_dict["USER"]]
    subprocess.run(["dropdb", "--if-exists", *admin, name], check=True)
    subprocess.run(["createdb", *admin, name], check=True)
    yield name
    subprocess.run(["dropdb", "--if-exists", "--force", *admin, name], check=False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_demo_restored_into_a_fresh_database_gives_every_figure_back(tmp_path, settings, restore_db):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "imports" / "backup-proof.xlsx").write_bytes(b"uploaded file")
    before = figures()
    assert before["households"] and before["devices"] and before["programmes"]

    call_command("backup", output=tmp_path / "backups", keep=3, stdout=open(os.devnull, "w"))  # noqa: SIM115
    [archive] = (tmp_path / "backups").glob("phocap-*.tar")

    # The live database is not empty: restore refuses it.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), language="en")

    url = _pg_url(restore_db)
    restored_media = tmp_path / "restored-media"
    _manage("restore", str(archive), database_url=url, media_root=restored_media)
    assert (restored_media / "imports" / "backup-proof.xlsx").read_bytes() == b"uploaded file"
    _manage("migrate", "--check", database_url=url, media_root=restored_media)
    reconcile = _manage("reconcile_devices", database_url=url, media_root=restored_media, check=False)
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
    shown = _manage("shell", "-v", "0", "-c",
                    "import json; from tests.common.test_backup import figures; print(json.dumps(figures()))",
                    database_url=url, media_root=restored_media)
    assert json.loads(shown.stdout) == json.loads(json.dumps(before))

    # A second restore into the now full database is refused, and nothing changes.
    again = _manage("restore", str(archive), database_url=url, media_root=tmp_path / "empty", check=False)
    assert again.returncode != 0 and "không trống" in again.stderr  # Vietnamese by default


@pytest.mark.postgres
@pytest.mark.django_db
def test_backup_keeps_the_newest_archives(tmp_path, settings):
    for stamp in ("20240101-000000", "20240102-000000", "20240103-000000"):
        (tmp_path / f"phocap-{stamp}.tar").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("not ours")
    call_command("backup", output=tmp_path, keep=2, stdout=open(os.devnull, "w"))  # noqa: SIM115
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len([k for k in kept if k.startswith("phocap-")]) == 2 and "notes.txt" in kept
    assert "phocap-20240103-000000.tar" in kept


@pytest.mark.django_db
def test_backup_on_sqlite_says_it_needs_postgresql(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite pass only")
    with pytest.raises(CommandError, match="need PostgreSQL"):
        call_command("backup", output=tmp_path, language="en")
    with pytest.raises(CommandError, match="cần PostgreSQL"):
        call_command("backup", output=tmp_path)


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "x.tar"
    bogus.write_bytes(b"not a tar")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus))
