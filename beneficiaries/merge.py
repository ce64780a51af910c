"""Resolving staged rows against the registry and writing them, set-based.

`resolve` classifies staged rows (new / updated / unchanged / invalid) with lookups
loaded once; `merge_staged` writes a reviewed plan under the commune's row lock in one
transaction: COPY (PostgreSQL) or executemany for new households, UPDATE ... FROM a temp
table for changed ones, head people by INSERT ... SELECT, history rows by INSERT ... SELECT.
The job's lifecycle (claiming, staging file, statuses) stays in `services`.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from phocap.areas.models import AdminUnit
from phocap.areas.services import village_get_or_create
from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.common.text import fold

from . import bulk
from .errors import Code
from .imports import StagedRow, column_labels, fold_cached
from .models import Household, ImportJob, Person, priority_rank_for
from .signals import send_households_changed

LOOKUP_CHUNK = 5000

_COMPARED = ("code", "head_name", "head_citizen_id", "head_birth_year", "head_sex", "head_ethnicity",
             "village_id", "members", "adults", "adults_without_phone", "phone", "address", "notes")


@dataclass
class Plan:
    new: list[StagedRow] = field(default_factory=list)  # full rows
    updates: list[tuple[int, StagedRow]] = field(default_factory=list)  # (household id, full row)
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    new_villages: list[str] = field(default_factory=list)
    villages: dict[str, int] = field(default_factory=dict)  # folded name → id




def _err(row: StagedRow, column: str, code: Code, /, **params) -> dict:
    """A row error as normalise_rows makes them: a code and the values, worded when shown."""
    return {"row": row.row, "column": column, "code": str(code), "params": params}


# (staged row field, index in the snapshot of _COMPARED)
_FILL_FROM_OLD = (("birth", 3), ("sex", 4), ("ethnicity", 5), ("members", 7), ("adults", 8),
                  ("adults_without_phone", 9), ("phone", 10), ("address", 11), ("notes", 12))


def resolve(*, commune: AdminUnit, staged: list[StagedRow], labels: dict[str, str] | None = None) -> Plan:
    """Classify staged rows as new / updated / unchanged / invalid with lookups loaded once.

    `labels` names the columns in error messages (imports.column_labels of the file)."""
    col = labels or column_labels()
    plan = Plan()
    plan.villages = {fold(name): pk for pk, name in AdminUnit.objects.filter(
        parent=commune, level=AdminUnit.Level.VILLAGE).values_list("pk", "name")}
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
    ids = [r.citizen_id for r in staged if r.citizen_id]
    for cid, hid, commune_id, commune_name, head in _owners_elsewhere(ids, commune.pk):
        owners[cid] = (hid, commune_id, commune_name, head)
    for cid, hid, commune_id, commune_name, head in (
            Person.objects.filter(is_active=True, household__commune=commune, citizen_id__isnull=False)
            .exclude(is_head=True, household__head_citizen_id=F("citizen_id")).values_list(*_OWNER_FIELDS)):
        owners[cid] = (hid, commune_id, commune_name, head)
    new_villages: dict[str, str] = {}
    village_names = {fold(name): name for name in AdminUnit.objects.filter(
        parent=commune, level=AdminUnit.Level.VILLAGE).values_list("name", flat=True)}
    unknown_villages: dict[str, tuple[str, str]] = {}
    for r in staged:
        code, cid = r.code, r.citizen_id
        hid = by_code.get(code) if code else None
        if hid is None and cid and cid in by_cid:
            other = by_cid[cid]
            other_code = snapshot[other][0]
            if code and other_code and other_code != code:
                plan.errors.append(_err(r, col["citizen_id"], Code.ROW_ID_OF_OTHER_HOUSEHOLD_CODE,
                                        cid=cid, code=other_code, mine=code))
                continue
            hid = other
        owner = owners.get(cid) if cid else None
        if owner and owner[0] != hid:
            if owner[1] != commune.pk:
                # Name the commune (the official calls it), never the person: no lookup oracle.
                plan.errors.append(_err(r, col["citizen_id"], Code.ROW_ID_IN_OTHER_COMMUNE, cid=cid, commune=owner[2]))
            else:
                plan.errors.append(_err(r, col["citizen_id"], Code.ROW_ID_OF_A_MEMBER, cid=cid, head=owner[3]))
            continue
        vkey = fold_cached(r.village)
        if vkey not in plan.villages:
            known = unknown_villages.get(vkey)
            if known is None:
                known = unknown_villages[vkey] = _known_village(vkey, village_names)
            if known[0] == "same":  # "Thôn Bản Còn" for the commune's "Bản Còn"
                r = r._replace(village=known[1])
                vkey = fold_cached(r.village)
            elif known[0] == "close":
                plan.errors.append(_err(r, col["village"], Code.ROW_VILLAGE_LOOKS_LIKE, v=r.village, s=known[1]))
                continue
            elif vkey not in new_villages:
                new_villages[vkey] = r.village
        if hid is None:
            adults = r.adults if r.adults is not None else 1
            members = r.members if r.members is not None else max(adults, 1)
            awp = r.adults_without_phone if r.adults_without_phone is not None else adults
            if adults > members or awp > adults:
                plan.errors.append(_err(r, col["adults"], Code.ROW_COUNTS_INCONSISTENT))
                continue
            if members is r.members and adults is r.adults and awp is r.adults_without_phone:
                plan.new.append(r)  # the usual row: all three counts typed
            else:
                plan.new.append(r._replace(members=members, adults=adults, adults_without_phone=awp))
            continue
        old = snapshot[hid]
        # An empty cell or an absent column keeps the registry's value.
        kept = {name: old[i] for name, i in _FILL_FROM_OLD if getattr(r, name) is None}
        if not code:
            kept["code"] = old[0]
        if not cid:
            kept["citizen_id"] = old[2]
        full = r._replace(**kept) if kept else r
        if full.adults > full.members or full.adults_without_phone > full.adults:
            plan.errors.append(_err(r, col["adults"], Code.ROW_COUNTS_DISAGREE_WITH_REGISTRY))
            continue
        old_cats = existing_cats.get(hid, {})
        cats = tuple((c, y if y is not None else old_cats.get(c)) for c, y in r.categories)
        full = full._replace(categories=cats)
        same = (full.code, full.name, full.citizen_id, full.birth, full.sex or "",
                full.ethnicity or "", plan.villages.get(vkey), full.members, full.adults,
                full.adults_without_phone, full.phone or "", full.address or "", full.notes or "") == old
        # (the snapshot's columns are NOT NULL except citizen ID, birth year and village,
        # which are compared as None)
        if same and dict(cats) == old_cats:
            plan.unchanged += 1
        else:
            plan.updates.append((hid, full))
    plan.new_villages = sorted(new_villages.values())
    return plan


# Words that name the kind of village, not the village: "Thôn Bản Còn" is "Bản Còn".
_DIVISION = re.compile(r"^(?:thon|ban|xom|to dan pho|to|ap|lang|buon|khu pho|khu|doi|plei|soc)\s+")


_DIGITS = re.compile(r"\D")


def _bare(folded: str) -> str:
    return _DIVISION.sub("", folded)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _known_village(folded: str, villages: dict[str, str]) -> tuple[str, str]:
    """("same", name) when the commune has this village under another division word,
    ("close", name) when the name is a small misspelling of one of its villages (folded:
    diacritics and case never count), else ("new", "")."""
    bare = _bare(folded)
    best, best_distance = "", None
    for key, name in villages.items():
        other = _bare(key)
        if other == bare:
            return "same", name
        if _DIGITS.sub("", bare) != _DIGITS.sub("", other):
            continue  # "Tổ 3" is not a misspelt "Tổ 1"
        limit = 0 if len(other) < 4 else 1 if len(other) < 8 else 2
        d = _distance(bare, other, limit)
        if 0 < d <= limit and (best_distance is None or d < best_distance):
            best, best_distance = name, d
    return ("close", best) if best else ("new", "")


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


def staging_fingerprint(commune_id: int) -> tuple:
    """Changes when any household of the commune is added, edited or merged."""
    agg = Household.objects.filter(commune=commune_id).aggregate(n=Count("id"), last=Max("updated_at"),
                                                                 top=Max("id"))
    return (agg["n"], agg["last"].isoformat() if agg["last"] else "", agg["top"])


_as_staged_row = functools.partial(tuple.__new__, StagedRow)


def staging_record(plan: Plan, *, fingerprint: tuple, errors: list[dict]) -> dict:
    """What validation stages for the merge (pickled). Rows go as plain tuples: pickle
    writes and reads a named tuple through Python-level calls per row (1 s per 100k rows),
    a plain tuple in C."""
    return {"new": list(map(tuple, plan.new)), "updates": [(hid, tuple(r)) for hid, r in plan.updates],
            "new_villages": plan.new_villages, "fingerprint": fingerprint, "errors": errors}


@transaction.atomic
def merge_staged(job: ImportJob, staged: dict) -> dict:
    """Write the plan staged at validation (`staged`: new, updates, new_villages,
    fingerprint) for `job`, all or nothing; returns the job's counts."""
    commune = locked(AdminUnit).get(pk=job.commune_id)  # one merge per commune
    if job.invalid_count and not job.skip_invalid:
        raise DomainError(messages.render(Code.IMPORT_HAS_INVALID_ROWS), code=Code.IMPORT_HAS_INVALID_ROWS, params={})
    if staged["fingerprint"] == staging_fingerprint(commune.pk):
        # Nothing changed in the commune since the review: the reviewed plan stands. An ID
        # taken elsewhere meanwhile is refused by the unique index (the job then fails).
        plan = Plan(new=list(map(_as_staged_row, staged["new"])),
                    updates=[(hid, _as_staged_row(r)) for hid, r in staged["updates"]],
                    new_villages=staged["new_villages"])
        plan.villages = dict(AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE)
                             .values_list("name_ascii", "pk"))
    else:
        # Staged rows carry the defaults already; a second resolve catches what changed.
        plan = resolve(commune=commune, staged=[_as_staged_row(r) for r in staged["new"]]
                       + [_as_staged_row(r) for _h, r in staged["updates"]])
    if plan.errors and not job.skip_invalid:
        first = plan.errors[0]
        params = {"row": first["row"], "col": first["column"], "msg": {"code": first["code"], "params": first["params"]}}
        raise DomainError(messages.render(Code.IMPORT_ROW_INVALID, params), code=Code.IMPORT_ROW_INVALID, params=params)
    for name in plan.new_villages:
        if fold(name) not in plan.villages:
            village, _created = village_get_or_create(commune=commune, name=name)
            plan.villages[fold(name)] = village.pk
    now = timezone.now()
    ids = bulk.allocate_ids(_table(Household), len(plan.new))
    jsonb = bulk.is_postgres()
    category_columns: dict[tuple, tuple[str, int]] = {}  # a few distinct combinations per file
    fold_name = _word_folder()

    def household_values(r):
        cats = r.categories
        encoded = category_columns.get(cats)
        if encoded is None:
            encoded = category_columns[cats] = (json.dumps(dict(cats), separators=(",", ":")),
                                                priority_rank_for(c for c, _y in cats))
        return (plan.villages[fold_cached(r.village)], r.code, r.name, fold_name(r.name)[:120], r.citizen_id,
                r.birth, r.sex or "", r.ethnicity or "", r.members, r.adults, r.adults_without_phone,
                r.phone or "", r.address or "", r.notes or "", *encoded)

    value_cols = ["village_id", "code", "head_name", "head_name_ascii", "head_citizen_id",
                  "head_birth_year", "head_sex", "head_ethnicity", "members", "adults",
                  "adults_without_phone", "phone", "address", "notes", "categories", "priority_rank"]
    nullable = ("village_id", "head_citizen_id", "head_birth_year")
    now_text = now.isoformat() if jsonb else now  # COPY: formatted once, not per row
    tail = (Household.Status.ACTIVE, job.pk, now_text, now_text)
    bulk.write_rows(
        _table(Household),
        ["id", "commune_id", *value_cols, "status", "import_job_id", "created_at", "updated_at"],
        ((hid, commune.pk, *household_values(r), *tail) for hid, r in zip(ids, plan.new, strict=True)),
        nullable=nullable)
    hh, person = bulk.qn(_table(Household)), bulk.qn(_table(Person))
    # Rows this merge wrote: every household it touches gets import_job_id = job; the new
    # ones are those with an id in the range allocate_ids gave (any other id in that range
    # would have collided with the COPY, or belongs to another commune).
    new_range = (min(ids), max(ids)) if ids else (0, -1)
    people_before = _last_person_id()
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
        _write_people_history(job, commune.pk, people_before, now)
        send_households_changed({commune.pk})
    invalid = job.invalid_count + len({e["row"] for e in plan.errors})
    return {"created_count": len(plan.new), "updated_count": len(plan.updates),
            # rows found unchanged at validation were not staged
            "unchanged_count": plan.unchanged + job.unchanged_count, "invalid_count": invalid,
            "new_villages": plan.new_villages}


def _word_folder():
    """fold() of a name word by word, each distinct word folded once: names are made of a
    few thousand syllables (fold() per name cost ~0.5 s per 100k rows)."""
    words: dict[str, str] = {}

    def fold_name(name: str) -> str:
        out = []
        for word in name.split():
            folded = words.get(word)
            if folded is None:
                folded = words[word] = fold(word)
            if folded:
                out.append(folded)
        return " ".join(out)

    return fold_name


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
            params.append(messages.encode(Code.REASON_IMPORTED, 100, id=job.pk, name=job.original_name))
        else:
            exprs.append(f"h.{bulk.qn(f.column)}")
    hh = bulk.qn(_table(Household))
    bulk.execute(f"INSERT INTO {bulk.qn(history_model._meta.db_table)} ({', '.join(cols)}) "  # noqa: S608
                 f"SELECT {', '.join(exprs)} FROM {hh} AS h WHERE h.commune_id = %s AND h.import_job_id = %s",
                 [*params, commune_id, job.pk])


def _last_person_id() -> int:
    return Person.objects.aggregate(last=Max("pk"))["last"] or 0


def _write_people_history(job: ImportJob, commune_id: int, after_id: int, now) -> None:
    """A "+" history row for each head person the merge created (ids above `after_id`, in
    the households it wrote), in one INSERT ... SELECT like the households' history: every
    record the registry holds has its creation in its history, imported or typed."""
    history_model = Person.history.model
    reason = messages.encode(Code.REASON_IMPORTED, 100, id=job.pk, name=job.original_name)
    fixed = {"history_date": now, "history_type": "+", "history_user": job.created_by_id,
             "history_change_reason": reason}
    cols, exprs, params = [], [], []
    for f in history_model._meta.concrete_fields:
        if f.name == "history_id":
            continue
        cols.append(bulk.qn(f.column))
        if f.name in fixed:
            exprs.append("%s")
            params.append(fixed[f.name])
        else:
            exprs.append(f"p.{bulk.qn(f.column)}")
    hh, person = bulk.qn(_table(Household)), bulk.qn(_table(Person))
    bulk.execute(f"INSERT INTO {bulk.qn(history_model._meta.db_table)} ({', '.join(cols)}) "  # noqa: S608
                 f"SELECT {', '.join(exprs)} FROM {person} AS p JOIN {hh} AS h ON h.id = p.household_id "
                 f"WHERE p.id > %s AND h.commune_id = %s AND h.import_job_id = %s",
                 [*params, after_id, commune_id, job.pk])
