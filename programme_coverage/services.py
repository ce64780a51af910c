"""Writes of the coverage app: rebuilding summary rows and building reports.

A rebuild recomputes a set of communes' rows from the sources (the household registry,
hand-outs, devices and batches) with one INSERT ... SELECT ... GROUP BY ... ON CONFLICT
DO UPDATE per chunk of communes. Every row of the chunk is written whether or not it
changed, so running a rebuild twice, or again after it was killed halfway, leaves the
same exact rows. Each chunk is its own transaction: a full rebuild resumes from the
last commune it finished.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phocap.accounts.models import User
from phocap.accounts.scoping import can_write_unit
from phocap.areas.models import AdminUnit
from phocap.common import jobs
from phocap.common.errors import DomainError
from phocap.common.tasks import enqueue, enqueue_on_commit
from phocap.programmes.models import Programme, ProgrammeCommune

from .errors import Code
from .models import FIGURES, CoverageMonth, CoverageSummary, ReportJob

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# Changes within this many seconds of the first one give a single rebuild per commune.
REBUILD_DELAY_S = getattr(settings, "COVERAGE_REBUILD_DELAY_S", 10)
_PENDING_KEY = "coverage:pending:{commune_id}"
_FULL_KEY = "coverage:full:{programme_id}"
# Set once every commune of the programme's province has its row (rows are never deleted
# while the province keeps its communes); checked again after this many seconds.
_COMPLETE_KEY = "coverage:complete:{programme_id}"
_COMPLETE_TTL_S = 600
# pg_advisory_xact_lock(class, programme): one rebuild of a programme's rows at a time,
# so a slow rebuild that read older data cannot overwrite a newer one's rows.
_LOCK_CLASS = 0x636F76


# --- SQL ------------------------------------------------------------------------------

def _tables() -> dict[str, str]:
    """Table and column names of the source models, read from their _meta so the SQL
    follows the other apps' models if they rename a column."""
    household = apps.get_model("beneficiaries", "Household")
    handout = apps.get_model("distribution", "Handout")
    device = apps.get_model("distribution", "Device")
    batch = apps.get_model("distribution", "Batch")
    visit = apps.get_model("followup", "Visit")

    def col(model, field):
        return model._meta.get_field(field).column

    return {
        "unit": AdminUnit._meta.db_table,
        "target": ProgrammeCommune._meta.db_table,
        "summary": CoverageSummary._meta.db_table,
        "month": CoverageMonth._meta.db_table,
        "household": household._meta.db_table,
        "h_commune": col(household, "commune"),
        "h_status": col(household, "status"),
        "h_rank": col(household, "priority_rank"),
        "h_adults": col(household, "adults"),
        "h_without": col(household, "adults_without_phone"),
        "handout": handout._meta.db_table,
        "ho_programme": col(handout, "programme"),
        "ho_household": col(handout, "household"),
        "ho_status": col(handout, "status"),
        "ho_date": col(handout, "handed_out_on"),
        "device": device._meta.db_table,
        "dv_programme": col(device, "programme"),
        "dv_status": col(device, "status"),
        "dv_holder": col(device, "holder_unit"),
        "dv_batch": col(device, "batch"),
        "batch": batch._meta.db_table,
        "b_to": col(batch, "to_unit"),
        "visit": visit._meta.db_table,
        "v_programme": col(visit, "programme"),
        "v_handout": col(visit, "handout"),
        "v_commune": col(visit, "commune"),
        "v_latest": col(visit, "is_latest"),
        "v_vneid": col(visit, "vneid_level"),
        "v_online": col(visit, "online_service_used"),
        "v_cashless": col(visit, "cashless_used"),
        "v_phone": col(visit, "phone_status"),
    }


_SUMMARY_SQL = """
INSERT INTO {summary} (programme_id, commune_id, district_id, province_id,
    households, households_poor, households_near_poor, households_policy, households_other,
    priority_households, households_reached, adults, adults_without_phone,
    baseline_adults, target_adults, phones_handed_out, phones_in_stock, phones_in_transit,
    recipients_visited, vneid_activated, online_service_users, cashless_users, phones_in_use,
    computed_at)
SELECT %(programme)s, c.id,
    CASE WHEN p.level = %(district)s THEN p.id END, %(province)s,
    COALESCE(h.n, 0), COALESCE(h.poor, 0), COALESCE(h.near_poor, 0), COALESCE(h.policy, 0),
    COALESCE(h.n, 0) - COALESCE(h.poor, 0) - COALESCE(h.near_poor, 0) - COALESCE(h.policy, 0),
    COALESCE(h.poor, 0) + COALESCE(h.near_poor, 0) + COALESCE(h.policy, 0),
    COALESCE(ho.reached, 0), COALESCE(h.adults, 0), COALESCE(h.without_phone, 0),
    COALESCE(t.baseline_adults, 0), COALESCE(t.target_adults, t.baseline_adults, 0),
    COALESCE(ho.n, 0), COALESCE(st.n, 0), COALESCE(tr.n, 0),
    COALESCE(vi.n, 0), COALESCE(vi.vneid, 0), COALESCE(vi.online, 0), COALESCE(vi.cashless, 0),
    COALESCE(vi.in_use, 0),
    %(now)s
FROM {unit} c
JOIN {unit} p ON p.id = c.parent_id
LEFT JOIN (
    SELECT {h_commune} AS cid, COUNT(*) AS n,
        SUM(CASE WHEN {h_rank} = 1 THEN 1 ELSE 0 END) AS poor,
        SUM(CASE WHEN {h_rank} = 2 THEN 1 ELSE 0 END) AS near_poor,
        SUM(CASE WHEN {h_rank} = 3 THEN 1 ELSE 0 END) AS policy,
        SUM({h_adults}) AS adults, SUM({h_without}) AS without_phone
    FROM {household}
    WHERE {h_status} = %(household_active)s AND {h_commune} IN ({ids})
    GROUP BY {h_commune}
) h ON h.cid = c.id
LEFT JOIN (
    {handouts_sub}
) ho ON ho.cid = c.id
LEFT JOIN (
    SELECT {dv_holder} AS cid, COUNT(*) AS n
    FROM {device}
    WHERE {dv_programme} = %(programme)s AND {dv_status} = %(device_in_stock)s AND {dv_holder} IN ({ids})
    GROUP BY {dv_holder}
) st ON st.cid = c.id
LEFT JOIN (
    SELECT b.{b_to} AS cid, COUNT(*) AS n
    FROM {device} d JOIN {batch} b ON b.id = d.{dv_batch}
    WHERE d.{dv_programme} = %(programme)s AND d.{dv_status} = %(device_in_transit)s AND b.{b_to} IN ({ids})
    GROUP BY b.{b_to}
) tr ON tr.cid = c.id
LEFT JOIN (
    SELECT v.{v_commune} AS cid, COUNT(*) AS n,
        SUM(CASE WHEN v.{v_vneid} > 0 THEN 1 ELSE 0 END) AS vneid,
        SUM(CASE WHEN v.{v_online} THEN 1 ELSE 0 END) AS online,
        SUM(CASE WHEN v.{v_cashless} THEN 1 ELSE 0 END) AS cashless,
        SUM(CASE WHEN v.{v_phone} = %(visit_in_use)s THEN 1 ELSE 0 END) AS in_use
    FROM {visit} v {visit_handout_join}
    WHERE v.{v_programme} = %(programme)s AND v.{v_latest} AND v.{v_commune} IN ({ids})
    GROUP BY v.{v_commune}
) vi ON vi.cid = c.id
LEFT JOIN {target} t ON t.programme_id = %(programme)s AND t.commune_id = c.id
WHERE c.id IN ({ids}) AND c.level = %(commune)s AND c.path LIKE %(prefix)s
ON CONFLICT (programme_id, commune_id) DO UPDATE SET
    district_id = EXCLUDED.district_id, province_id = EXCLUDED.province_id,
    {updates}, computed_at = EXCLUDED.computed_at
"""

# Hand-outs per commune of the household (portable SQL; PostgreSQL reads them from `hx`).
_HANDOUTS_SUB = """SELECT hh.{h_commune} AS cid, COUNT(*) AS n, COUNT(DISTINCT x.{ho_household}) AS reached
    FROM {handout} x JOIN {household} hh ON hh.id = x.{ho_household}
    WHERE x.{ho_programme} = %(programme)s AND x.{ho_status} = %(handout_active)s AND hh.{h_commune} IN ({ids})
    GROUP BY hh.{h_commune}"""
_VISIT_HANDOUT_JOIN = "JOIN {handout} vh ON vh.id = v.{v_handout} AND vh.{ho_status} = %(handout_active)s"

_MONTH_DELETE_SQL = "DELETE FROM {month} WHERE programme_id = %(programme)s AND commune_id IN ({ids})"

_MONTH_INSERT_SQL = """
INSERT INTO {month} (programme_id, commune_id, district_id, province_id, month, handouts)
SELECT %(programme)s, c.id, CASE WHEN p.level = %(district)s THEN p.id END, %(province)s, m.month, m.n
FROM (
    SELECT hh.{h_commune} AS cid, {month_expr} AS month, COUNT(*) AS n
    FROM {handout} x JOIN {household} hh ON hh.id = x.{ho_household}
    WHERE x.{ho_programme} = %(programme)s AND x.{ho_status} = %(handout_active)s AND hh.{h_commune} IN ({ids})
    GROUP BY hh.{h_commune}, {month_expr}
) m
JOIN {unit} c ON c.id = m.cid
JOIN {unit} p ON p.id = c.parent_id
WHERE c.level = %(commune)s AND c.path LIKE %(prefix)s
"""


# PostgreSQL: the summary upsert and the month rows in one statement (one round trip
# instead of three; a one-commune rebuild is mostly round trips).
# `hx` joins the chunk's households to their active hand-outs once, for both the figures
# and the months, probing the (household, programme, status) index per household
# (LATERAL ... OFFSET 0 keeps the planner from turning it into a scan of every hand-out
# of the programme, which it did for each of the three reads, for every chunk of 500
# communes). Visits check their hand-out's status by id the same way. Stale months (no
# hand-out left) are deleted and the others upserted: the two touch different rows.
_HX_PG = """SELECT hh.{h_commune} AS cid, x.hid, x.day
    FROM {household} hh
    CROSS JOIN LATERAL (
        SELECT y.{ho_household} AS hid, y.{ho_date} AS day FROM {handout} y
        WHERE y.{ho_household} = hh.id AND y.{ho_programme} = %(programme)s AND y.{ho_status} = %(handout_active)s
        OFFSET 0
    ) x
    WHERE hh.{h_commune} IN ({ids})"""
_HANDOUTS_SUB_PG = "SELECT cid, COUNT(*) AS n, COUNT(DISTINCT hid) AS reached FROM hx GROUP BY cid"
_VISIT_HANDOUT_JOIN_PG = """CROSS JOIN LATERAL (
        SELECT 1 FROM {handout} vh WHERE vh.id = v.{v_handout} AND vh.{ho_status} = %(handout_active)s OFFSET 0
    ) vh"""
_COMBINED_PG_SQL = """
WITH hx AS MATERIALIZED ({hx}),
s AS ({summary_sql} RETURNING 1),
valid AS (
    SELECT c.id AS cid, CASE WHEN p.level = %(district)s THEN p.id END AS did, m.month, m.n
    FROM (SELECT cid, {month_expr} AS month, COUNT(*) AS n FROM hx GROUP BY cid, {month_expr}) m
    JOIN {unit} c ON c.id = m.cid
    JOIN {unit} p ON p.id = c.parent_id
    WHERE c.level = %(commune)s AND c.path LIKE %(prefix)s
),
d AS (
    DELETE FROM {month} mo WHERE mo.programme_id = %(programme)s AND mo.commune_id IN ({ids})
        AND NOT EXISTS (SELECT 1 FROM valid v WHERE v.cid = mo.commune_id AND v.month = mo.month)
    RETURNING 1
),
i AS (
    INSERT INTO {month} (programme_id, commune_id, district_id, province_id, month, handouts)
    SELECT %(programme)s, cid, did, %(province)s, month, n FROM valid
    ON CONFLICT (programme_id, commune_id, month) DO UPDATE SET
        district_id = EXCLUDED.district_id, province_id = EXCLUDED.province_id, handouts = EXCLUDED.handouts
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM s), (SELECT COUNT(*) FROM d), (SELECT COUNT(*) FROM i)
"""


def _status_params() -> dict[str, str]:
    """The other apps' status and level values, from their models (passed as parameters)."""
    household = apps.get_model("beneficiaries", "Household")
    handout = apps.get_model("distribution", "Handout")
    device = apps.get_model("distribution", "Device")
    visit = apps.get_model("followup", "Visit")
    return {"household_active": household.Status.ACTIVE, "handout_active": handout.Status.ACTIVE,
            "device_in_stock": device.Status.IN_STOCK, "device_in_transit": device.Status.IN_TRANSIT,
            "visit_in_use": visit.PhoneStatus.IN_USE,
            "district": AdminUnit.Level.DISTRICT, "commune": AdminUnit.Level.COMMUNE}


def _month_expr(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _lock_programme(programme_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # JIT off for this transaction (same round trip as the lock): a chunk's rebuild
            # is estimated costly enough to be compiled, and compiling took ~120 ms of a
            # ~700 ms chunk at 1,000,000 households while saving nothing.
            cursor.execute("SELECT set_config('jit', 'off', true), pg_advisory_xact_lock(%s, %s)",
                           [_LOCK_CLASS, programme_id])


@transaction.atomic
def coverage_rebuild_communes(*, programme: Programme, commune_ids: Sequence[int]) -> int:
    """Recompute the programme's rows for these communes (ids outside the programme's
    province are ignored). Returns the number of communes given."""
    ids = sorted({int(i) for i in commune_ids})
    if not ids:
        return 0
    _lock_programme(programme.pk)
    names = _tables()
    id_list = ",".join(str(i) for i in ids)  # ints from int(): safe to inline
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in FIGURES)
    province = programme.province
    params = {"programme": programme.pk, "province": province.pk, "now": timezone.now(),
              "prefix": province.path + "%", **_status_params()}
    pg = connection.vendor == "postgresql"
    subs = {k: sql.format(ids=id_list, **names) for k, sql in (
        ("handouts_sub", _HANDOUTS_SUB_PG if pg else _HANDOUTS_SUB),
        ("visit_handout_join", _VISIT_HANDOUT_JOIN_PG if pg else _VISIT_HANDOUT_JOIN))}
    summary_sql = _SUMMARY_SQL.format(ids=id_list, updates=updates, **subs, **names)
    with connection.cursor() as cursor:
        if pg:
            cursor.execute(_COMBINED_PG_SQL.format(
                summary_sql=summary_sql.strip(), hx=_HX_PG.format(ids=id_list, **names), ids=id_list,
                month_expr=_month_expr("day"), **names), params)
        else:
            month_expr = _month_expr("x." + names["ho_date"])
            cursor.execute(summary_sql, params)
            cursor.execute(_MONTH_DELETE_SQL.format(ids=id_list, **names), params)
            cursor.execute(_MONTH_INSERT_SQL.format(ids=id_list, month_expr=month_expr, **names), params)
    return len(ids)


def _programme_communes(programme: Programme):
    """Every commune of the programme's province: the fixed row set of its summary."""
    return AdminUnit.objects.subtree(programme.province).communes()


def coverage_rebuild_programme(*, programme: Programme, after_commune_id: int = 0,
                               chunk_size: int = CHUNK_SIZE, max_chunks: int | None = None) -> int | None:
    """Rebuild the programme's rows commune by commune in id order, one transaction per
    chunk. Returns the last commune id done if it stopped after `max_chunks` (pass it
    back as `after_commune_id` to resume), or None when every commune is done.
    Rows of another province (a programme carried onto the 2025 units) are dropped first."""
    if after_commune_id == 0:
        with transaction.atomic():
            CoverageSummary.objects.filter(programme=programme).exclude(province=programme.province).delete()
            CoverageMonth.objects.filter(programme=programme).exclude(province=programme.province).delete()
    ids = list(_programme_communes(programme).filter(pk__gt=after_commune_id)
               .order_by("pk").values_list("pk", flat=True))
    for n, start in enumerate(range(0, len(ids), chunk_size)):
        if max_chunks is not None and n >= max_chunks:
            return ids[start - 1]
        coverage_rebuild_communes(programme=programme, commune_ids=ids[start:start + chunk_size])
    return None


def coverage_rebuild_commune(*, commune_id: int) -> int:
    """Rebuild one commune's rows in every programme of its province. Returns how many."""
    # The programmes whose province contains this commune, in one query (no look-up of
    # the commune first): a one-commune rebuild is mostly round trips.
    # The province is the commune's parent (2025 units) or grandparent (legacy).
    commune = AdminUnit.objects.filter(pk=commune_id, level=AdminUnit.Level.COMMUNE)
    programmes = (Programme.objects.filter(Q(province_id__in=commune.values("parent_id"))
                                           | Q(province_id__in=commune.values("parent__parent_id")))
                  .select_related("province"))
    done = 0
    for programme in programmes:
        coverage_rebuild_communes(programme=programme, commune_ids=[commune_id])
        _complete_programme_rows(programme)
        done += 1
    return done


def _complete_programme_rows(programme: Programme) -> None:
    """A programme whose rows were never built in full (a new programme, before the nightly
    run) gets one full rebuild queued, so province and district totals are never made of
    the few communes that happened to change. Once complete, that is remembered for
    _COMPLETE_TTL_S: the check counts the whole province, which a one-commune rebuild
    should not do every time."""
    key = _COMPLETE_KEY.format(programme_id=programme.pk)
    if cache.get(key):
        return
    incomplete = CoverageSummary.objects.filter(programme=programme).count() < _programme_communes(programme).count()
    if not incomplete:
        cache.set(key, 1, timeout=_COMPLETE_TTL_S)
    elif cache.add(_FULL_KEY.format(programme_id=programme.pk), 1, timeout=600):
        from .tasks import coverage_rebuild_programme_task

        enqueue(coverage_rebuild_programme_task, programme.pk)


def coverage_schedule_rebuild(*, commune_ids: Iterable[int]) -> list[int]:
    """Queue one delayed rebuild per commune unless one is already pending.

    The pending flag lives in the cache (Redis in production, shared with the worker);
    the task clears it before computing, so a change that lands while a rebuild runs
    queues the next one. The flag expires on its own if a task is ever lost."""
    from .tasks import coverage_rebuild_commune_task

    queued = []
    for commune_id in sorted({int(i) for i in commune_ids if i}):
        try:
            fresh = cache.add(_PENDING_KEY.format(commune_id=commune_id), 1, timeout=REBUILD_DELAY_S + 300)
        except Exception:  # cache down: rebuild anyway rather than lose the change
            logger.warning("coverage: cache unavailable, queueing commune %s without debounce", commune_id)
            fresh = True
        if fresh:
            if enqueue(coverage_rebuild_commune_task, commune_id, countdown=REBUILD_DELAY_S):
                queued.append(commune_id)
            else:
                # Broker down: the write stands; the next change, or the nightly full
                # rebuild, brings the figures back.
                cache.delete(_PENDING_KEY.format(commune_id=commune_id))
    return queued


def coverage_clear_pending(*, commune_id: int) -> None:
    cache.delete(_PENDING_KEY.format(commune_id=commune_id))


# --- reports ------------------------------------------------------------------------

@transaction.atomic
def report_job_create(*, programme: Programme, unit: AdminUnit, by: User) -> ReportJob:
    from . import reform

    if reform.is_cross_scheme(programme, unit.scheme):
        conv = reform.conversion(programme)
        reached = {n for news in conv.successors.values() for n in news}
        if not any(n == unit.pk or conv.units[n].parent_id == unit.pk for n in reached):
            raise DomainError(_("Đơn vị %(unit)s không thuộc chương trình này.") % {"unit": unit},
                              code=Code.UNIT_OUTSIDE_PROGRAMME)
    elif not unit.is_within(programme.province):
        raise DomainError(_("Đơn vị %(unit)s không thuộc chương trình này.") % {"unit": unit},
                          code=Code.UNIT_OUTSIDE_PROGRAMME)
    # A report job writes a row and a file: auditors (read-only) and outsiders do not. Under the
    # 2025 units, a legacy programme's own province staff may ask for it too.
    if not (can_write_unit(by, unit) or (reform.is_cross_scheme(programme, unit.scheme)
                                         and can_write_unit(by, programme.province))):
        raise DomainError(_("Bạn không có quyền tạo báo cáo cho %(unit)s.") % {"unit": unit},
                          code=Code.REPORT_NOT_ALLOWED)
    # The report is written in the language of the page that asked for it.
    job = ReportJob.objects.create(programme=programme, unit=unit, requested_by=by,
                                   language=jobs.requester_language())
    from .tasks import report_job_build_task

    enqueue_on_commit(report_job_build_task, job.pk)
    return job


def report_job_build(*, job_id: int, language: str | None = None) -> ReportJob | None:
    """Build the job's .xlsx in the requester's language (phocap.common.jobs.run_job: a second
    delivery of the same job does nothing)."""
    from . import reports

    def build(job, progress):
        job = ReportJob.objects.select_related("programme__province", "unit").get(pk=job.pk)
        return reports.report_filename(job), reports.build_report_xlsx(job, progress=progress)

    return jobs.run_job(ReportJob, job_id, build, language=language)
