"""Load over HTTP: gunicorn on PostgreSQL, N signed-in users browsing for a bounded time.

Lives in programme_coverage (the app every other one is below) because it browses them all.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from beneficiaries.models import Household
from phocap.areas.models import AdminUnit
from phocap.common.http_client import Session
from phocap.programmes.demo import DEMO_PASSWORD
from phocap.programmes.models import Programme

from ...services import coverage_rebuild_commune
from .bench_coverage import insert_select

ROOT = Path(settings.BASE_DIR)
HOST = "127.0.0.1"
SYNTHETIC_CODE = "BENCHHTTP-"
ROLES = ("demo_tinh", "demo_huyen", "demo_xa", "demo_kiemtra")


def _pages(programme: Programme, district: AdminUnit, commune: AdminUnit) -> dict[str, list[str]]:
    """What each role browses: dashboards, lists and the API."""
    p = programme.pk
    province = programme.province.code
    return {
        "demo_tinh": [
            "/", f"/pho-cap/{p}/legacy/{province}/", f"/ung-ho/quy/{p}/", "/ung-ho/nha-tai-tro/",
            f"/ung-ho/quy/{p}/khoan-ung-ho/", "/phan-phoi/dot/", "/phan-phoi/thiet-bi/",
            f"/ho-gia-dinh/?commune={commune.pk}", f"/api/v1/programmes/{p}/totals/",
            f"/api/v1/coverage/legacy/{province}/?programme={p}", "/api/v1/programmes/"],
        "demo_huyen": [
            "/", f"/pho-cap/{p}/legacy/{district.code}/", "/phan-phoi/dot/", "/phan-phoi/thiet-bi/",
            f"/ho-gia-dinh/?commune={commune.pk}", f"/api/v1/coverage/legacy/{district.code}/?programme={p}"],
        "demo_xa": [
            "/", "/ho-gia-dinh/", f"/ho-gia-dinh/?commune={commune.pk}&page=3", "/ho-gia-dinh/uu-tien/",
            "/phan-phoi/cap-phat/", f"/pho-cap/{p}/legacy/{commune.code}/",
            f"/api/v1/households/?commune={commune.code}", f"/api/v1/coverage/legacy/{commune.code}/?programme={p}"],
        "demo_kiemtra": [
            "/", f"/pho-cap/{p}/legacy/{province}/", f"/ho-gia-dinh/?commune={commune.pk}",
            f"/ung-ho/quy/{p}/khoan-ung-ho/", f"/api/v1/programmes/{p}/totals/"],
    }


class Command(BaseCommand):
    help = ("Start gunicorn on PostgreSQL on 127.0.0.1, sign in N users of the demo and let them "
            "browse dashboards, lists and the API for a bounded time; print "
            "`rps= p50_ms= p95_ms= errors=` and the slowest pages.")

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--port", type=int, default=8140)
        parser.add_argument("--web-workers", type=int, default=3)
        parser.add_argument("--households", type=int, default=0,
                            help="synthetic households added to Côn Minh for the run (removed after)")

    def handle(self, *args, users, seconds, port, web_workers, households, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_http needs PostgreSQL (DATABASE_URL=postgres://...).")
        if not 1 <= users <= 200 or not 1 <= seconds <= 600:
            raise CommandError("--users 1..200, --seconds 1..600")
        call_command("migrate", verbosity=0)  # /healthz (the readiness wait) fails on unapplied ones
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        programme = Programme.objects.select_related("province").get(name__icontains="Bắc Kạn")
        commune = AdminUnit.objects.get(scheme="legacy", level="commune", name="Côn Minh",
                                        path__startswith=programme.province.path)
        district = commune.parent
        self._cleanup(commune)
        server = None
        try:
            if households:
                self._add_households(commune, households)
            server = self._start(port, web_workers)
            self._wait_ready(port, server)
            results = self._run(port, users, seconds, _pages(programme, district, commune))
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            self._cleanup(commune)
        self._report(results, seconds, users, households)

    # --- data ---------------------------------------------------------------------------

    def _add_households(self, commune: AdminUnit, n: int) -> None:
        t = time.monotonic()
        insert_select(Household, {
            "commune": str(commune.pk), "code": f"'{SYNTHETIC_CODE}' || i",
            "head_name": "'Chủ hộ thử ' || i", "head_name_ascii": "'chu ho thu ' || i",
            "members": "4", "adults": "2", "adults_without_phone": "1 + i %% 2",
            "status": "'active'", "priority_rank": "1 + (i / 7) %% 4",
        }, "generate_series(1, %s) AS i", [n])
        with connection.cursor() as cursor:
            # Statistics and the visibility map as autovacuum keeps them on a live registry
            # (a bulk insert passes autovacuum's insert threshold): index-only scans count
            # and page through a commune.
            cursor.execute(f"VACUUM (ANALYZE) {Household._meta.db_table}")
        coverage_rebuild_commune(commune_id=commune.pk)
        self.stdout.write(f"households_added={n} seconds={time.monotonic() - t:.1f}")

    def _cleanup(self, commune: AdminUnit) -> None:
        # Raw: the synthetic rows have no people, hand-outs or history; a model delete would
        # write a history row for each of them.
        synthetic = Household.objects.filter(commune=commune, code__startswith=SYNTHETIC_CODE)
        deleted = synthetic._raw_delete(synthetic.db)
        if deleted:
            coverage_rebuild_commune(commune_id=commune.pk)

    # --- server -------------------------------------------------------------------------

    def _start(self, port: int, workers: int) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(DEBUG="0", SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50), ALLOWED_HOSTS=HOST,
                   PORT=str(port), BIND=HOST, WEB_WORKERS=str(workers), LOG_LEVEL="WARNING",
                   PATH=f"{Path(os.sys.executable).parent}:{env.get('PATH', '')}")
        log = open(ROOT / "var" / "bench_http-gunicorn.log", "w") if (ROOT / "var").is_dir() else subprocess.DEVNULL  # noqa: SIM115
        return subprocess.Popen([str(ROOT / "deploy" / "entrypoint.sh"), "web"], env=env, stdout=log,  # noqa: S603
                                stderr=subprocess.STDOUT)

    def _wait_ready(self, port: int, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("gunicorn stopped at start-up (see var/bench_http-gunicorn.log)")
            try:
                if Session(port, HOST, timeout=5).get("/healthz")[0].status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError("gunicorn did not answer /healthz within 60 s")

    # --- load ---------------------------------------------------------------------------

    def _run(self, port: int, n_users: int, seconds: int, pages: dict[str, list[str]]) -> list:
        sessions = []
        for i in range(n_users):
            role = ROLES[i % len(ROLES)]
            session = Session(port, HOST, timeout=30)
            if session.login(role, DEMO_PASSWORD) != 302:
                raise CommandError(f"log-in of {role} failed")
            sessions.append((role, session))
        results: list[tuple[str, float, int]] = []
        lock = threading.Lock()
        start = time.monotonic()
        stop_at = start + seconds

        def browse(index: int, role: str, session: Session) -> None:
            urls = pages[role]
            k = index  # users of one role start on different pages
            while time.monotonic() < stop_at:
                url = urls[k % len(urls)]
                k += 1
                t = time.monotonic()
                try:
                    status = session.get(url)[0].status
                except OSError:
                    status = 0
                with lock:
                    results.append((url, (time.monotonic() - t) * 1000, status))

        threads = [threading.Thread(target=browse, args=(i, role, s)) for i, (role, s) in enumerate(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._elapsed = time.monotonic() - start
        return results

    def _report(self, results: list, seconds: int, users: int, households: int) -> None:
        if not results:
            raise CommandError("no request completed")
        times = sorted(ms for _url, ms, _status in results)
        errors = sum(1 for _url, _ms, status in results if status != 200)
        p95 = times[int(0.95 * (len(times) - 1))]
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(f"users={users} seconds={seconds} households_added={households} requests={len(results)}")
        self.stdout.write(f"rps={len(results) / self._elapsed:.1f} p50_ms={statistics.median(times):.0f} "
                          f"p95_ms={p95:.0f} errors={errors} loadavg={load}")
        by_url = defaultdict(list)
        for url, ms, status in results:
            by_url[url].append((ms, status))
        worst = sorted(by_url.items(), key=lambda kv: -sorted(m for m, _s in kv[1])[int(0.95 * (len(kv[1]) - 1))])
        for url, rows in worst[:8]:
            ms = sorted(m for m, _s in rows)
            bad = sum(1 for _m, s in rows if s != 200)
            self.stdout.write(f"  {url} n={len(ms)} p50_ms={statistics.median(ms):.0f} "
                              f"p95_ms={ms[int(0.95 * (len(ms) - 1))]:.0f} errors={bad}")
