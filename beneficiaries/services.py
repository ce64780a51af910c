"""Every write to the registry.

Import pipeline (two phases, nothing written before the official confirms):
  import_job_create   store the file and its hash, queue validation
  import_job_validate read once, normalise, check against lookups loaded once, stage
                      the valid rows in a file under MEDIA_ROOT, store counts/errors
  import_job_confirm  the official confirms (optionally only the valid rows)
  import_job_merge    under the commune's row lock, re-resolve the staged rows against
                      the registry and write them set-based (COPY / executemany,
                      UPDATE ... FROM a temp table), history rows included, in one transaction
Tasks claim a job with a conditional UPDATE (status X → Y returns 1) so a second
delivery of the same task does nothing.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import pickle  # noqa: S403 - staging files are written and read only by this module
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phocap.accounts.models import User
from phocap.areas.models import AdminUnit
from phocap.areas.services import village_get_or_create
from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.common.text import fold
from phocap.common.updates import require_editable

from . import bulk
from .citizen_ids import require_valid_id
from .errors import Code
from .imports import (
    R_ADDRESS,
    R_ADULTS,
    R_AWP,
    R_BIRTH,
    R_CATS,
    R_CID,
    R_CODE,
    R_ETHNICITY,
    R_MEMBERS,
    R_NAME,
    R_NOTES,
    R_PHONE,
    R_ROW,
    R_SEX,
    R_VILLAGE,
    ImportFileError,
    column_labels,
    fold_cached,
    normalise_rows,
    read_table,
)
from .models import (
    Category,
    Household,
    ImportJob,
    Person,
    priority_rank_for,
)
from .signals import households_changed

log = logging.getLogger(__name__)

ERRORS_KEPT_ON_JOB = 1000
LOOKUP_CHUNK = 5000


def _send_changed(commune_ids: set[int]) -> None:
    transaction.on_commit(lambda: households_changed.send(sender=Household, commune_ids=set(commune_ids)))


# ---- jobs --------------------------------------------------------------------------


@contextmanager
def _gc_paused():
    """The pipeline builds ~10 objects per row; CPython's cyclic collector would rescan
    them all again and again (quadratic in practice: 53 s instead of 7 s for 100k rows).
    Nothing here makes reference cycles, so pause it for the duration."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _claim(job_id: int, from_status: str, to_status: str) -> bool:
    """Move the job forward only if nobody else did: one conditional UPDATE."""
    assert to_status in ImportJob.ALLOWED_TRANSITIONS[from_status]
    return ImportJob.objects.filter(pk=job_id, status=from_status).update(status=to_status) == 1


def _staging_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "staging" / f"job-{job_id}.pickle"


@transaction.atomic
def import_job_create(*, commune: AdminUnit, data: bytes, filename: str, by: User | None = None,
                      skip_invalid: bool = False, queue: bool = True) -> ImportJob:
    """Store an uploaded file as a new job and queue its validation."""
    if commune.level != AdminUnit.Level.COMMUNE:
        raise DomainError(_("Chỉ nhập danh sách hộ cho một xã/phường."), code=Code.IMPORT_NOT_A_COMMUNE)
    digest = hashlib.sha256(data).hexdigest()
    job = ImportJob(commune=commune, created_by=by, original_name=(filename or "danh-sach.xlsx")[:255],
                    file_hash=digest, skip_invalid=skip_invalid)
    safe_name = Path(filename or "file.xlsx").name[-80:]
    job.file.save(f"{digest[:16]}-{safe_name}", ContentFile(data), save=False)
    job.save()
    if queue:
        from .tasks import import_job_validate_task

        transaction.on_commit(lambda: import_job_validate_task.delay(job.pk))
    return job


def previous_merge_of_same_file(job: ImportJob) -> ImportJob | None:
    return (ImportJob.objects.filter(commune=job.commune_id, file_hash=job.file_hash,
                                     status=ImportJob.Status.MERGED)
            .exclude(pk=job.pk).order_by("-merged_at").first())


def import_job_validate(*, job_id: int) -> ImportJob:
    """Read and check every row; write nothing to the registry. Safe to run twice."""
    with _gc_paused():
        return _validate(job_id)


def _validate(job_id: int) -> ImportJob:
    if not _claim(job_id, ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("commune").get(pk=job_id)
    try:
        with job.file.open("rb") as f:
            data = f.read()
        table = read_table(data, job.original_name)
        total = len(table.rows)
        ImportJob.objects.filter(pk=job_id).update(total_rows=total)

        def progress(n: int) -> None:
            ImportJob.objects.filter(pk=job_id).update(done_rows=min(n, total))

        staged, errors = normalise_rows(table, progress=progress)
        labels = column_labels(table)
        del table, data  # the raw grid is the biggest thing in memory: free it before the lookups
        plan = resolve(commune=job.commune, staged=staged, labels=labels)
    except ImportFileError as e:
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).update(
            status=ImportJob.Status.FAILED, message=str(e), validated_at=timezone.now())
        return ImportJob.objects.get(pk=job_id)
    errors = sorted(errors + plan.errors, key=lambda e: (e["row"], e["column"]))
    invalid_rows = len({e["row"] for e in errors})
    path = _staging_file(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump({"new": plan.new, "updates": plan.updates, "new_villages": plan.new_villages,
                     "fingerprint": _fingerprint(job.commune_id), "errors": errors}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).update(
        status=ImportJob.Status.VALIDATED, staging_path=str(path), done_rows=total,
        created_count=len(plan.new), updated_count=len(plan.updates), unchanged_count=plan.unchanged,
        invalid_count=invalid_rows, errors=errors[:ERRORS_KEPT_ON_JOB], new_villages=plan.new_villages,
        validated_at=timezone.now())
    return ImportJob.objects.get(pk=job_id)


def staged_errors(job: ImportJob) -> list[dict]:
    """Every problem of the job (the job row keeps only the first ones)."""
    if job.staging_path and Path(job.staging_path).exists():
        with open(job.staging_path, "rb") as f:
            return pickle.load(f)["errors"]  # noqa: S301 - our own staging file
    return list(job.errors)


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by: User | None = None, skip_invalid: bool = False, queue: bool = True) -> ImportJob:
    """The official confirms the reviewed file; the merge runs in a task."""
    job = locked(ImportJob).get(pk=job.pk)
    if job.status != ImportJob.Status.VALIDATED:
        raise DomainError(_("Lượt nhập này không ở trạng thái chờ xác nhận (%(s)s).") % {
            "s": job.get_status_display()}, code=Code.IMPORT_NOT_AWAITING_CONFIRMATION)
    if job.invalid_count and not skip_invalid:
        raise DomainError(ngettext("File còn %(n)d dòng lỗi. Hãy sửa file rồi tải lên lại, hoặc chọn "
                                   "“chỉ nhập các dòng hợp lệ”.",
                                   "File còn %(n)d dòng lỗi. Hãy sửa file rồi tải lên lại, hoặc chọn "
                                   "“chỉ nhập các dòng hợp lệ”.", job.invalid_count) % {"n": job.invalid_count}, code=Code.IMPORT_HAS_INVALID_ROWS)
    job.skip_invalid = skip_invalid
    job.save(update_fields=["skip_invalid"])
    if queue:
        from .tasks import import_job_merge_task

        transaction.on_commit(lambda: import_job_merge_task.delay(job.pk))
    return job


def import_job_merge(*, job_id: int) -> ImportJob:
    """Write the staged rows. All or nothing; a second delivery does nothing."""
    if not _claim(job_id, ImportJob.Status.VALIDATED, ImportJob.Status.MERGING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("commune").get(pk=job_id)
    try:
        with _gc_paused():
            counts = _merge(job)
    except (DomainError, IntegrityError, OSError) as e:
        message = str(e) if isinstance(e, DomainError) else _(
            "Không nhập được: dữ liệu đã thay đổi trong lúc chờ xác nhận (%(e)s). Hãy tải file lên lại.") % {
            "e": type(e).__name__}
        log.warning("import job %s failed to merge: %s", job_id, e)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.MERGING).update(
            status=ImportJob.Status.FAILED, message=message)
        return ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.MERGING).update(
        status=ImportJob.Status.MERGED, merged_at=timezone.now(), done_rows=job.total_rows, **counts)
    return ImportJob.objects.get(pk=job_id)


# ---- resolving staged rows against the registry ------------------------------------

_COMPARED = ("code", "head_name", "head_citizen_id", "head_birth_year", "head_sex", "head_ethnicity",
             "village_id", "members", "adults", "adults_without_phone", "phone", "address", "notes")


@dataclass
class Plan:
    new: list[tuple] = field(default_factory=list)  # full rows
    updates: list[tuple[int, tuple]] = field(default_factory=list)  # (household id, full row)
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    new_villages: list[str] = field(default_factory=list)
    villages: dict[str, int] = field(default_factory=dict)  # folded name → id


def _err(row: tuple, column: str, message: str) -> dict:
    return {"row": row[R_ROW], "column": column, "message": message}


# (staged row index, index in the snapshot of _COMPARED)
_FILL_FROM_OLD = ((R_BIRTH, 3), (R_SEX, 4), (R_ETHNICITY, 5), (R_MEMBERS, 7), (R_ADULTS, 8),
                  (R_AWP, 9), (R_PHONE, 10), (R_ADDRESS, 11), (R_NOTES, 12))


def resolve(*, commune: AdminUnit, staged: list[tuple], labels: dict[str, str] | None = None) -> Plan:
    """Classify staged rows as new / updated / unchanged / invalid with lookups loaded once.

    `labels` names the columns in error messages (imports.column_labels of the file)."""
    col = labels or column_labels()
    plan = Plan()
    plan.villages = {fold(name): pk for pk, name in AdminUnit.objects.filter(
        parent=commune, level=AdminUnit.Level.VILLAGE).values_list("pk", "name")}
    village_key_by_id = {pk: key for key, pk in plan.villages.items()}
    by_code: dict[str, int] = {}
    by_cid: dict[str, int] = {}
    snapshot: dict[int, tuple] = {}
    existing_cats: dict[int, dict[str, int | None]] = {}
    for row in (Household.objects.filter(commune=commune).values_list("pk", *_COMPARED, "categories")
                .iterator(chunk_size=10_000)):
        pk, values = row[0], row[1:-1]
        snapshot[pk] = values
        existing_cats[pk] = row[-1] or {}
        if values[0]:
            by_code[values[0]] = pk
        if values[2]:
            by_cid[values[2]] = pk
    # Owners of the file's citizen IDs: heads of this commune are in by_cid already; ask
    # the database only for other communes (IN chunks) and for this commune's non-heads,
    # so a re-import does not fetch its own 100k people back.
    owners: dict[str, tuple] = {cid: (hid, commune.pk, commune.full_name, snapshot[hid][1])
                                for cid, hid in by_cid.items()}
    ids = [r[R_CID] for r in staged if r[R_CID]]
    for cid, hid, commune_id, commune_name, head in _owners_elsewhere(ids, commune.pk):
        owners[cid] = (hid, commune_id, commune_name, head)
    for cid, hid, commune_id, commune_name, head in (
            Person.objects.filter(is_active=True, household__commune=commune, citizen_id__isnull=False)
            .exclude(is_head=True, household__head_citizen_id=F("citizen_id")).values_list(*_OWNER_FIELDS)):
        owners[cid] = (hid, commune_id, commune_name, head)
    new_villages: dict[str, str] = {}
    for r in staged:
        code, cid = r[R_CODE], r[R_CID]
        hid = by_code.get(code) if code else None
        if hid is None and cid and cid in by_cid:
            other = by_cid[cid]
            other_code = snapshot[other][0]
            if code and other_code and other_code != code:
                plan.errors.append(_err(r, col["citizen_id"], _(
                    "số %(cid)s đã là CCCD chủ hộ mã %(code)s; mã hộ %(mine)s trong file không khớp.") % {
                    "cid": cid, "code": other_code, "mine": code}))
                continue
            hid = other
        owner = owners.get(cid) if cid else None
        if owner and owner[0] != hid:
            if owner[1] != commune.pk:
                # Name the commune (the official calls it), never the person: no lookup oracle.
                plan.errors.append(_err(r, col["citizen_id"], _(
                    "số %(cid)s đã có trong danh sách của %(commune)s.") % {"cid": cid, "commune": owner[2]}))
            else:
                plan.errors.append(_err(r, col["citizen_id"], _(
                    "số %(cid)s đã thuộc một người trong hộ %(head)s của xã.") % {"cid": cid, "head": owner[3]}))
            continue
        vkey = fold_cached(r[R_VILLAGE])
        if vkey not in plan.villages and vkey not in new_villages:
            new_villages[vkey] = r[R_VILLAGE]
        if hid is None:
            adults = r[R_ADULTS] if r[R_ADULTS] is not None else 1
            members = r[R_MEMBERS] if r[R_MEMBERS] is not None else max(adults, 1)
            awp = r[R_AWP] if r[R_AWP] is not None else adults
            if adults > members or awp > adults:
                plan.errors.append(_err(r, col["adults"], _("số người trưởng thành lớn hơn số nhân khẩu.")))
                continue
            plan.new.append(r[:R_MEMBERS] + (members, adults, awp) + r[R_PHONE:])
            continue
        old = snapshot[hid]
        # An empty cell or an absent column keeps the registry's value.
        full = list(r)
        if not code:
            full[R_CODE] = old[0]
        for idx, old_idx in _FILL_FROM_OLD:
            if full[idx] is None:
                full[idx] = old[old_idx]
        if not full[R_CID]:
            full[R_CID] = old[2]
        if full[R_ADULTS] > full[R_MEMBERS] or full[R_AWP] > full[R_ADULTS]:
            plan.errors.append(_err(r, col["adults"], _(
                "số người trưởng thành / chưa có ĐTTM không khớp số nhân khẩu của hộ.")))
            continue
        old_cats = existing_cats.get(hid, {})
        cats = tuple((c, y if y is not None else old_cats.get(c)) for c, y in r[R_CATS])
        full[R_CATS] = cats
        full = tuple(full)
        same = (full[R_CODE], full[R_NAME], full[R_CID], full[R_BIRTH], full[R_SEX] or "",
                full[R_ETHNICITY] or "", plan.villages.get(vkey), full[R_MEMBERS], full[R_ADULTS],
                full[R_AWP], full[R_PHONE] or "", full[R_ADDRESS] or "", full[R_NOTES] or "") == old
        # (the snapshot's columns are NOT NULL except citizen ID, birth year and village,
        # which are compared as None)
        if same and dict(cats) == old_cats:
            plan.unchanged += 1
        else:
            plan.updates.append((hid, full))
    plan.new_villages = sorted(new_villages.values())
    del village_key_by_id
    return plan


_OWNER_FIELDS = ("citizen_id", "household_id", "household__commune_id", "household__commune__full_name",
                 "household__head_name")


def _owners_elsewhere(ids: list[str], commune_id: int):
    """(citizen_id, household_id, commune_id, commune name, head name) of active people of
    other communes holding one of `ids`."""
    if not ids:
        return []
    if bulk.is_postgres():
        # One query with an array parameter: Django's IN of 5,000 parameters costs ~0.1 s of
        # Python per chunk (1 s per 100k IDs) before PostgreSQL sees it.
        person, hh, unit = (bulk.qn(_table(m)) for m in (Person, Household, AdminUnit))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT p.citizen_id, p.household_id, h.commune_id, u.full_name, h.head_name "  # noqa: S608
                f"FROM {person} p JOIN {hh} h ON h.id = p.household_id JOIN {unit} u ON u.id = h.commune_id "
                f"WHERE p.is_active AND p.citizen_id = ANY(%s) AND h.commune_id <> %s", [ids, commune_id])
            return cursor.fetchall()
    found = []
    for i in range(0, len(ids), LOOKUP_CHUNK):
        found += (Person.objects.filter(is_active=True, citizen_id__in=ids[i:i + LOOKUP_CHUNK])
                  .exclude(household__commune=commune_id).values_list(*_OWNER_FIELDS))
    return found


# ---- merge --------------------------------------------------------------------------

def _table(model) -> str:
    return model._meta.db_table


def _fingerprint(commune_id: int) -> tuple:
    """Changes when any household of the commune is added, edited or merged."""
    agg = Household.objects.filter(commune=commune_id).aggregate(n=Count("id"), last=Max("updated_at"),
                                                                 top=Max("id"))
    return (agg["n"], agg["last"].isoformat() if agg["last"] else "", agg["top"])


@transaction.atomic
def _merge(job: ImportJob) -> dict:
    commune = locked(AdminUnit).get(pk=job.commune_id)  # one merge per commune
    with open(job.staging_path, "rb") as f:
        staged = pickle.load(f)  # noqa: S301 - our own staging file
    if job.invalid_count and not job.skip_invalid:
        raise DomainError(_("File còn dòng lỗi; chưa nhập gì."), code=Code.IMPORT_HAS_INVALID_ROWS)
    if staged["fingerprint"] == _fingerprint(commune.pk):
        # Nothing changed in the commune since the review: the reviewed plan stands. An ID
        # taken elsewhere meanwhile is refused by the unique index (the job then fails).
        plan = Plan(new=staged["new"], updates=staged["updates"], new_villages=staged["new_villages"])
        plan.villages = dict(AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE)
                             .values_list("name_ascii", "pk"))
    else:
        # Staged rows carry the defaults already; a second resolve catches what changed.
        plan = resolve(commune=commune, staged=staged["new"] + [r for _h, r in staged["updates"]])
    if plan.errors and not job.skip_invalid:
        first = plan.errors[0]
        raise DomainError(_("Dòng %(row)d, cột %(col)s: %(msg)s Chưa nhập gì; hãy tải file lên lại.") % {
            "row": first["row"], "col": first["column"], "msg": first["message"]}, code=Code.IMPORT_ROW_INVALID)
    for name in plan.new_villages:
        if fold(name) not in plan.villages:
            village, _created = village_get_or_create(commune=commune, name=name)
            plan.villages[fold(name)] = village.pk
    now = timezone.now()
    ids = bulk.allocate_ids(_table(Household), len(plan.new))
    jsonb = bulk.is_postgres()
    category_columns: dict[tuple, tuple[str, int]] = {}  # a few distinct combinations per file

    def household_values(r):
        cats = r[R_CATS]
        encoded = category_columns.get(cats)
        if encoded is None:
            encoded = category_columns[cats] = (json.dumps(dict(cats), separators=(",", ":")),
                                                priority_rank_for(c for c, _y in cats))
        return (plan.villages[fold_cached(r[R_VILLAGE])], r[R_CODE], r[R_NAME], fold(r[R_NAME])[:120], r[R_CID],
                r[R_BIRTH], r[R_SEX] or "", r[R_ETHNICITY] or "", r[R_MEMBERS], r[R_ADULTS], r[R_AWP],
                r[R_PHONE] or "", r[R_ADDRESS] or "", r[R_NOTES] or "", *encoded)

    value_cols = ["village_id", "code", "head_name", "head_name_ascii", "head_citizen_id",
                  "head_birth_year", "head_sex", "head_ethnicity", "members", "adults",
                  "adults_without_phone", "phone", "address", "notes", "categories", "priority_rank"]
    nullable = ("village_id", "head_citizen_id", "head_birth_year")
    now_text = now.isoformat() if jsonb else now  # COPY: formatted once, not per row
    tail = (Household.Status.ACTIVE, "", job.pk, now_text, now_text)
    bulk.write_rows(
        _table(Household),
        ["id", "commune_id", *value_cols, "status", "content_hash", "import_job_id", "created_at", "updated_at"],
        ((hid, commune.pk, *household_values(r), *tail) for hid, r in zip(ids, plan.new, strict=True)),
        nullable=nullable)
    hh, person = bulk.qn(_table(Household)), bulk.qn(_table(Person))
    # Rows this merge wrote: every household it touches gets import_job_id = job; the new
    # ones are those with an id in the range allocate_ids gave (any other id in that range
    # would have collided with the COPY, or belongs to another commune).
    new_range = (min(ids), max(ids)) if ids else (0, -1)
    if ids:
        _insert_heads("h.commune_id = %s AND h.import_job_id = %s AND h.id BETWEEN %s AND %s",
                      [commune.pk, job.pk, *new_range])
    if plan.updates:
        tmp = "tmp_household_import"
        types = {"village_id": "integer", "members": "integer", "adults": "integer",
                 "adults_without_phone": "integer", "priority_rank": "integer", "head_birth_year": "integer",
                 "categories": "jsonb" if jsonb else "text"}
        bulk.temp_table(tmp, [("id", "integer")] + [(c, types.get(c, "text")) for c in value_cols])
        bulk.write_rows(tmp, ["id", *value_cols], ((hid, *household_values(r)) for hid, r in plan.updates),
                        nullable=nullable)
        sets = ", ".join(f"{bulk.qn(c)} = t.{bulk.qn(c)}" for c in value_cols)
        bulk.execute(f"UPDATE {hh} SET {sets}, import_job_id = %s, updated_at = %s "  # noqa: S608
                     f"FROM {tmp} AS t WHERE {hh}.id = t.id", [job.pk, now])
        bulk.execute(f"UPDATE {person} SET full_name = t.head_name, citizen_id = t.head_citizen_id, "  # noqa: S608
                     f"id_kind = {_id_kind_sql('t')}, birth_year = t.head_birth_year, sex = t.head_sex "
                     f"FROM {tmp} AS t WHERE {person}.household_id = t.id AND {person}.is_head = %s "
                     f"AND {person}.is_active = %s", [True, True])
        # A household of the registry without an active head gets one, as a new one does.
        _insert_heads(f"h.id IN (SELECT id FROM {tmp}) AND NOT EXISTS (SELECT 1 FROM {person} AS p "  # noqa: S608
                      f"WHERE p.household_id = h.id AND p.is_head = %s AND p.is_active = %s)", [True, True])
        bulk.drop_temp(tmp)
    if plan.new or plan.updates:
        _write_history(job, commune.pk, new_range, now)
        _send_changed({commune.pk})
    invalid = job.invalid_count + len({e["row"] for e in plan.errors})
    return {"created_count": len(plan.new), "updated_count": len(plan.updates),
            # rows found unchanged at validation were not staged
            "unchanged_count": plan.unchanged + job.unchanged_count, "invalid_count": invalid,
            "new_villages": plan.new_villages}


def _id_kind_sql(alias: str) -> str:
    """The kind of a household row's head ID, in SQL (the IDs were checked: 12 digits are
    a CCCD, 9 a CMND, as check_id says)."""
    cid = f"{alias}.head_citizen_id"
    return f"CASE WHEN {cid} IS NULL THEN '' WHEN LENGTH({cid}) = 12 THEN 'cccd' ELSE 'cmnd' END"


def _insert_heads(where: str, params: list) -> None:
    """Head people from the household rows `where` selects (alias h), set-based: the
    smartphone flag is set when the household's only adult is not without one."""
    hh, person = bulk.qn(_table(Household)), bulk.qn(_table(Person))
    bulk.execute(
        f"INSERT INTO {person} (household_id, full_name, citizen_id, id_kind, birth_year, sex, "  # noqa: S608
        f"has_smartphone, is_head, is_active) SELECT h.id, h.head_name, h.head_citizen_id, {_id_kind_sql('h')}, "
        f"h.head_birth_year, h.head_sex, (h.adults_without_phone < h.adults AND h.adults = 1), %s, %s "
        f"FROM {hh} AS h WHERE {where}", [True, True, *params])


def _write_history(job: ImportJob, commune_id: int, new_range: tuple[int, int], now) -> None:
    """One historical row per household the merge wrote, in one INSERT ... SELECT from the
    household table (what simple-history's bulk helpers would write, without a Python
    object per row): "+" for the new ones, "~" for the updated ones."""
    history_model = Household.history.model
    cols, exprs, params = [], [], []
    for f in history_model._meta.concrete_fields:
        if f.name == "history_id":
            continue
        cols.append(bulk.qn(f.column))
        if f.name == "history_date":
            exprs.append("%s")
            params.append(now)
        elif f.name == "history_type":
            exprs.append("CASE WHEN h.id BETWEEN %s AND %s THEN '+' ELSE '~' END")
            params.extend(new_range)
        elif f.name == "history_user":
            exprs.append("%s")
            params.append(job.created_by_id)
        elif f.name == "history_change_reason":
            exprs.append("%s")
            params.append((_("Nhập từ file #%(id)d (%(name)s)") % {"id": job.pk, "name": job.original_name})[:100])
        else:
            exprs.append(f"h.{bulk.qn(f.column)}")
    hh = bulk.qn(_table(Household))
    bulk.execute(f"INSERT INTO {bulk.qn(history_model._meta.db_table)} ({', '.join(cols)}) "  # noqa: S608
                 f"SELECT {', '.join(exprs)} FROM {hh} AS h WHERE h.commune_id = %s AND h.import_job_id = %s",
                 [*params, commune_id, job.pk])


# ---- edits by officials --------------------------------------------------------------

EDITABLE = ("village", "code", "head_name", "head_citizen_id", "head_birth_year", "head_sex",
            "head_ethnicity", "members", "adults", "adults_without_phone", "phone", "address",
            "status", "notes")


@transaction.atomic
def household_update(*, household: Household, by: User | None = None,
                     categories: list[tuple[str, int | None]] | None = None, **changes) -> Household:
    """An official corrects a household; its head person and categories follow."""
    require_editable(changes, EDITABLE, what="household_update")
    data = changes
    household = locked(Household).get(pk=household.pk)
    # A key left out keeps the ID; an empty value clears it (the household keeps its code).
    cid = data.get("head_citizen_id", household.head_citizen_id) or None
    if cid:
        kind = require_valid_id(cid, birth_year=data.get("head_birth_year"), sex=data.get("head_sex") or "")
        owner = (Person.objects.filter(citizen_id=cid, is_active=True).exclude(household=household)
                 .select_related("household__commune").first())
        if owner and owner.household.commune_id != household.commune_id:
            # The commune only, never the person's name (no lookup oracle over the registry).
            raise DomainError(_("Số %(cid)s đã có trong danh sách của %(commune)s.") % {
                "cid": cid, "commune": owner.household.commune.full_name}, code=Code.CITIZEN_ID_IN_OTHER_COMMUNE)
        if owner:
            raise DomainError(_("Số %(cid)s đã thuộc %(name)s, hộ %(head)s trong xã.") % {
                "cid": cid, "name": owner.full_name, "head": owner.household.head_name}, code=Code.CITIZEN_ID_TAKEN)
    else:
        kind = ""
    village = data.get("village", household.village)
    if village is not None and village.parent_id != household.commune_id:
        raise DomainError(_("Thôn/bản phải thuộc xã của hộ."), code=Code.VILLAGE_NOT_IN_COMMUNE)
    for name in EDITABLE:
        if name in data:
            setattr(household, name, data[name])
    household.head_citizen_id = cid
    household.head_name_ascii = fold(household.head_name)[:120]
    if not household.code and not cid:
        raise DomainError(_("Hộ cần có mã hộ hoặc số CCCD của chủ hộ."), code=Code.HOUSEHOLD_NEEDS_CODE_OR_ID)
    if household.adults > household.members or household.adults_without_phone > household.adults:
        raise DomainError(_("Số người trưởng thành không được lớn hơn số nhân khẩu, và số người chưa có "
                            "ĐTTM không lớn hơn số người trưởng thành."), code=Code.HOUSEHOLD_COUNTS_INCONSISTENT)
    if categories is not None:
        if not categories:
            raise DomainError(_("Hộ cần ít nhất một diện (phân loại hộ)."), code=Code.HOUSEHOLD_NEEDS_CATEGORY)
        if any(c not in Category.values for c, _y in categories):
            raise DomainError(_("Diện hộ không hợp lệ."), code=Code.CATEGORY_INVALID)
        household.categories = {c: y for c, y in categories}
        household.priority_rank = priority_rank_for(household.categories)
    if household.code and Household.objects.filter(commune=household.commune_id, code=household.code).exclude(
            pk=household.pk).exists():
        raise DomainError(_("Mã hộ %(code)s đã có trong xã.") % {"code": household.code}, code=Code.HOUSEHOLD_CODE_TAKEN)
    household._history_user = by
    household.save()
    head = household.people.filter(is_head=True, is_active=True).first() or Person(
        household=household, is_head=True)
    head.full_name = household.head_name
    head.citizen_id = cid
    head.id_kind = kind
    head.birth_year = household.head_birth_year
    head.sex = household.head_sex
    head.save()
    _send_changed({household.commune_id})
    return household


@transaction.atomic
def household_phones_changed(*, changes: list[dict]) -> None:
    """The registry follows hand-outs (the `phones_changed` event, see signals.py).

    +1: the member now has a smartphone and the household has one adult fewer without one
    (unless the member already had one: they were not counted). -1 (a reversal): the member
    no longer has one, unless they still hold another hand-out, and the household one adult
    more without one (never more than its adults). Households are locked in pk order and
    saved through the model, so the change lands in the household's history.
    """
    ids = sorted({c["household_id"] for c in changes})
    households = {h.pk: h for h in locked(Household.objects.filter(pk__in=ids))}
    people = {p.pk: p for p in locked(Person.objects.filter(
        pk__in={c["person_id"] for c in changes if c.get("person_id")}))}
    changed = set()
    for change in changes:
        household, person = households.get(change["household_id"]), people.get(change.get("person_id"))
        if household is None:
            continue
        before = household.adults_without_phone
        if change["delta"] > 0:
            if person is None or not person.has_smartphone:
                household.adults_without_phone = max(0, before - 1)
            if person is not None:
                person.has_smartphone = True
        else:
            # Read through the reverse relation by name: beneficiaries never imports distribution.
            if person is not None and person.handouts.filter(status="active").exists():
                continue
            household.adults_without_phone = min(household.adults, before + 1)
            if person is not None:
                person.has_smartphone = False
        if person is not None:
            person.save(update_fields=["has_smartphone"])
        if household.adults_without_phone != before:
            changed.add(household.pk)
    reason = "cấp phát điện thoại" if changes[-1]["delta"] > 0 else "thu hồi điện thoại"  # stored, source language
    for pk in changed:
        households[pk]._change_reason = reason
        households[pk].save(update_fields=["adults_without_phone", "updated_at"])
    # Coverage hears about it from the sender's own event, sent after this one on commit.


__all__ = ["import_job_create", "import_job_validate", "import_job_confirm", "import_job_merge",
           "household_update", "household_phones_changed", "resolve", "staged_errors"]
