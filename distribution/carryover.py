"""Carrying a running legacy programme onto the 2025 units (services of the carry-over).

- `carryover_plan` — the dry run: what would move (targets merged per new commune, households
  per old → new commune, stock at the province and communes), and what cannot move by itself:
  a split commune needs a village-by-village choice, stock held at abolished districts and
  batches still in transit must first go through ordinary batches, an old commune without a
  successor, or one that went to another province. Writes only the plan row.
- `carryover_start` — the officer confirmed: the plan is claimed (planned → running) and a Celery
  job (`carryover_run_task`) runs it.
- `carryover_run` — one transaction: households re-homed (their rows locked, so a hand-out at the
  same moment waits and then meets the household where it now lives), their villages recreated
  by name under the new commune, phones in stock moved with a ledger row each (kind
  carry_over), targets merged onto the new communes, the programme moved to the new province.
  The ledger and the history keep the old units; hand-outs keep the commune that signed their
  minutes. Progress goes to the cache (the page polls it).
- `carryover_undo` — until the first batch sent on the new units (and before any new hand-out):
  everything the snapshot recorded goes back, with ledger and history rows again.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household
from beneficiaries.services import households_rehome
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_write_unit
from phocap.areas.conversion import province_conversion
from phocap.areas.models import AdminUnit
from phocap.areas.services import village_get_or_create
from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.programmes.models import Programme
from phocap.programmes.services import programme_rehome

from .errors import Code
from .models import Batch, CarryOver, Device, DeviceMovement, Handout

Kind = DeviceMovement.Kind
S = Device.Status


class CarryCode:
    NOT_LEGACY = "carryover_not_legacy"
    CLOSED = "carryover_programme_closed"
    NOT_STAFF = "carryover_not_province_staff"
    BAD_PROVINCE = "carryover_bad_province"
    BLOCKED = "carryover_blocked"
    NOT_PLANNED = "carryover_not_planned"
    NOT_DONE = "carryover_not_done"
    TOO_LATE = "carryover_too_late"


def _unit(u: AdminUnit) -> dict:
    return {"id": u.pk, "code": u.code, "name": u.full_name or u.name}


def progress_key(carry_id: int) -> str:
    return f"carryover:{carry_id}:progress"


def progress(carry_id: int) -> dict:
    return cache.get(progress_key(carry_id)) or {"done": 0, "total": 0, "step": ""}


def _say(carry_id: int, done: int, total: int, step: str) -> None:
    cache.set(progress_key(carry_id), {"done": done, "total": total, "step": step}, timeout=24 * 3600)


def _destination(conv, commune_id: int, village_id: int | None, choices: dict) -> int | None:
    """The new commune of a household (or village) of an old commune: the chosen one for a
    split commune, the only successor otherwise."""
    news = conv.successors.get(commune_id, [])
    if len(news) == 1:
        return news[0]
    key = str(village_id) if village_id else f"c{commune_id}"
    chosen = choices.get(key)
    return int(chosen) if chosen and int(chosen) in news else None


def build_report(*, programme: Programme, to_province: AdminUnit, choices: dict) -> dict:
    """What the carry-over would do (read only)."""
    conv = province_conversion(programme.province)
    old_ids = [pk for pk, u in conv.units.items() if u.scheme == AdminUnit.Scheme.LEGACY]
    blockers: list[str] = []
    # Targets, merged per primary successor.
    merged: dict[int, dict] = {}
    for t in programme.targets.select_related("commune"):
        new = conv.primary.get(t.commune_id)
        if new is None:
            blockers.append(messages.encode(Code.BLOCKER_TARGET_NOT_CONVERTED, c=str(t.commune)))
            continue
        row = merged.setdefault(new, {"new": _unit(conv.units[new]), "from": [], "baseline": 0, "target": None})
        row["from"].append(_unit(t.commune))
        row["baseline"] += t.baseline_adults
        if t.target_adults is not None:
            row["target"] = (row["target"] or 0) + t.target_adults
    # Households per old commune and village.
    rows = (Household.objects.filter(commune_id__in=old_ids).values("commune_id", "village_id")
            .order_by().annotate(n=Count("pk")))
    per_old: dict[int, dict] = defaultdict(dict)
    for r in rows:
        per_old[r["commune_id"]][r["village_id"]] = r["n"]
    villages = AdminUnit.objects.in_bulk([v for d in per_old.values() for v in d if v])
    moves, splits, missing = [], [], 0
    for old_id, by_village in sorted(per_old.items(), key=lambda kv: conv.units[kv[0]].code):
        old = conv.units[old_id]
        news = conv.successors.get(old_id, [])
        total = sum(by_village.values())
        if not news:
            blockers.append(messages.encode(Code.BLOCKER_COMMUNE_NOT_CONVERTED, c=str(old), n=total))
            continue
        if any(conv.units[n].parent_id != to_province.pk for n in news):
            blockers.append(messages.encode(Code.BLOCKER_OTHER_PROVINCE, c=str(old), p=str(to_province)))
            continue
        if len(news) == 1:
            moves.append({"old": _unit(old), "new": _unit(conv.units[news[0]]), "households": total})
            continue
        entry = {"old": _unit(old), "successors": [_unit(conv.units[n]) for n in news], "villages": []}
        for village_id, n in sorted(by_village.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            key = str(village_id) if village_id else f"c{old_id}"
            dest = _destination(conv, old_id, village_id, choices)
            missing += dest is None
            # No name for households without a village: the page words it in the reader's language.
            entry["villages"].append({"key": key, "name": villages[village_id].name if village_id else None,
                                      "households": n, "choice": dest})
        splits.append(entry)
    if missing:
        blockers.append(messages.encode(Code.BLOCKER_VILLAGES_UNCHOSEN, n=missing))
    # Phones.
    stock = (Device.objects.filter(programme=programme, status=S.IN_STOCK, holder_unit_id__isnull=False)
             .values("holder_unit_id").order_by().annotate(n=Count("pk")))
    holders = AdminUnit.objects.in_bulk([r["holder_unit_id"] for r in stock])
    stock_moves, district_stock = [], []
    for r in stock:
        unit = holders[r["holder_unit_id"]]
        if unit.scheme != AdminUnit.Scheme.LEGACY:
            continue
        if unit.level == AdminUnit.Level.DISTRICT:
            district_stock.append({"unit": _unit(unit), "phones": r["n"]})
        elif unit.level == AdminUnit.Level.PROVINCE:
            stock_moves.append({"from": _unit(unit), "to": _unit(to_province), "phones": r["n"]})
        elif unit.pk in conv.primary:
            stock_moves.append({"from": _unit(unit), "to": _unit(conv.units[conv.primary[unit.pk]]), "phones": r["n"]})
        else:
            blockers.append(messages.encode(Code.BLOCKER_STOCK_NOT_CONVERTED, u=str(unit), n=r["n"]))
    if district_stock:
        blockers.append(messages.encode(Code.BLOCKER_DISTRICT_STOCK))
    transit = list(Batch.objects.filter(programme=programme, status=Batch.Status.DISPATCHED)
                   .select_related("from_unit", "to_unit").order_by("pk"))
    if transit:
        blockers.append(messages.encode(Code.BLOCKER_BATCHES_IN_TRANSIT, n=len(transit)))
    others = Programme.objects.filter(province=programme.province, status=Programme.Status.ACTIVE).exclude(
        pk=programme.pk)
    if others.exists():
        blockers.append(messages.encode(Code.BLOCKER_OTHER_PROGRAMMES, p=", ".join(p.name for p in others)))
    return {
        "to_province": _unit(to_province),
        "targets": sorted(merged.values(), key=lambda r: r["new"]["code"]),
        "households": moves, "splits": splits,
        "households_total": sum(sum(d.values()) for d in per_old.values()),
        "stock_moves": stock_moves, "district_stock": district_stock,
        "in_transit": [{"number": b.number, "from": b.from_unit.name, "to": b.to_unit.name} for b in transit],
        "blockers": blockers, "can_run": not blockers,
    }


def _check_staff(programme: Programme, by, *, also: AdminUnit | None = None) -> None:
    """The programme's province staff (for an undo, also the old province's)."""
    if not any(can_write_unit(by, unit, roles=[Role.PROVINCE_STAFF]) for unit in (programme.province, also) if unit):
        raise DomainError(_("Chỉ cán bộ cấp tỉnh của chương trình được chuyển chương trình."), code=CarryCode.NOT_STAFF)


@transaction.atomic
def carryover_plan(*, programme: Programme, to_province: AdminUnit, by, choices: dict | None = None) -> CarryOver:
    """The dry run: a plan row with its report; nothing else is written."""
    programme = Programme.objects.select_related("province").get(pk=programme.pk)
    if programme.scheme != AdminUnit.Scheme.LEGACY:
        raise DomainError(_("Chương trình đã theo đơn vị hành chính mới."), code=CarryCode.NOT_LEGACY)
    if programme.status == Programme.Status.CLOSED:
        raise DomainError(_("Chương trình đã kết thúc; chỉ chuyển được chương trình đang triển khai."),
                          code=CarryCode.CLOSED)
    _check_staff(programme, by)
    if to_province.pk not in {p.pk for p in province_conversion(programme.province).new_provinces}:
        raise DomainError(_("%(p)s không nhận xã nào của %(o)s theo bảng chuyển đổi.")
                          % {"p": to_province, "o": programme.province}, code=CarryCode.BAD_PROVINCE)
    choices = {str(k): str(v) for k, v in (choices or {}).items() if v}
    report = build_report(programme=programme, to_province=to_province, choices=choices)
    return CarryOver.objects.create(programme=programme, from_province=programme.province, to_province=to_province,
                                    choices=choices, report=report, created_by=by)


@transaction.atomic
def carryover_start(*, carry: CarryOver, by) -> CarryOver:
    carry = locked(CarryOver.objects.select_related("programme__province")).get(pk=carry.pk)
    _check_staff(carry.programme, by)
    if carry.status != CarryOver.Status.PLANNED:
        raise DomainError(_("Kế hoạch chuyển này đã chạy hoặc đã hủy."), code=CarryCode.NOT_PLANNED)
    report = build_report(programme=carry.programme, to_province=carry.to_province, choices=carry.choices)
    if report["blockers"]:
        carry.report = report
        carry.save(update_fields=["report"])
        raise _blocked(report["blockers"])
    carry.status = CarryOver.Status.RUNNING
    carry.save(update_fields=["status"])
    _say(carry.pk, 0, 1, "queued")
    from .tasks import carryover_run_task

    transaction.on_commit(lambda: carryover_run_task.delay(carry.pk))
    return carry


def _blocked(blockers: list[str]) -> DomainError:
    """The refusal naming every blocker; with params, so a failed run stores it as a code."""
    params = {"b": blockers}
    return DomainError(messages.render(CarryCode.BLOCKED, params), code=CarryCode.BLOCKED, params=params)


def carryover_run(*, carry_id: int) -> CarryOver | None:
    """The task's work; safe to run twice (a second delivery finds the plan already done)."""
    try:
        with transaction.atomic():
            return _run(carry_id)
    except DomainError as e:
        CarryOver.objects.filter(pk=carry_id, status=CarryOver.Status.RUNNING).update(
            status=CarryOver.Status.FAILED, error=messages.stored(e), finished_at=timezone.now())
        return CarryOver.objects.get(pk=carry_id)


def _run(carry_id: int) -> CarryOver | None:
    carry = locked(CarryOver.objects.select_related("programme__province", "to_province", "created_by")
                   .filter(pk=carry_id, status=CarryOver.Status.RUNNING)).first()
    if carry is None:
        return None
    # NO KEY UPDATE: a hand-out inserted meanwhile only needs KEY SHARE on the programme (its
    # foreign key), so it queues on the household lock alone, in the run's own order.
    programme = locked(Programme, no_key=True).get(pk=carry.programme_id)
    if programme.scheme != AdminUnit.Scheme.LEGACY:
        raise DomainError(_("Chương trình đã theo đơn vị hành chính mới."), code=CarryCode.NOT_LEGACY)
    # Stored as a code: the history shows it in the reader's language. 100 characters fit a history reason.
    by, reason = carry.created_by, messages.encode(Code.REASON_CARRIED_OVER, 100, p=str(carry.to_province))
    report = build_report(programme=programme, to_province=carry.to_province, choices=carry.choices)
    if report["blockers"]:
        raise _blocked(report["blockers"])
    conv = province_conversion(programme.province)
    old_ids = [pk for pk, u in conv.units.items() if u.scheme == AdminUnit.Scheme.LEGACY]

    # Households (locked in pk order by the registry's service), villages recreated by name.
    households = list(Household.objects.filter(commune_id__in=old_ids).order_by("pk")
                      .values_list("pk", "commune_id", "village_id", "village__name"))
    total = len(households) + 2
    _say(carry.pk, 0, total, "households")
    village_of: dict[tuple[int, int], int] = {}
    moves: dict[int, tuple[int, int | None]] = {}
    for i, (pk, commune_id, village_id, village_name) in enumerate(households, start=1):
        new = _destination(conv, commune_id, village_id, carry.choices)
        new_village = None
        if village_id:
            if (village_id, new) not in village_of:
                village, _created = village_get_or_create(commune=conv.units[new], name=village_name)
                village_of[(village_id, new)] = village.pk
            new_village = village_of[(village_id, new)]
        moves[pk] = (new, new_village)
        if i % 2000 == 0:
            _say(carry.pk, i, total, "households")
    households_rehome(moves=moves, by=by, reason=reason)

    # Phones in stock at the old province and communes: a ledger row each, then the projection.
    devices = list(locked(Device.objects.filter(programme=programme, status=S.IN_STOCK, holder_unit_id__in=[
        *old_ids, programme.province_id])))
    movements = []
    for d in devices:
        to = carry.to_province_id if d.holder_unit_id == programme.province_id else conv.primary[d.holder_unit_id]
        movements.append(DeviceMovement.build(d, Kind.CARRY_OVER, by=by, status_after=S.IN_STOCK,
                                              from_unit_id=d.holder_unit_id, to_unit_id=to, reason=reason))
    DeviceMovement.objects.bulk_create(movements)
    snapshot_devices = [[m.device_id, m.from_unit_id, m.to_unit_id] for m in movements]
    for to, ids in _group(snapshot_devices).items():
        Device.objects.filter(pk__in=ids).update(holder_unit_id=to)
    _say(carry.pk, len(households) + 1, total, "phones")

    # Targets and the programme itself.
    snapshot_targets = list(programme.targets.values_list("commune_id", "baseline_adults", "target_adults"))
    targets = [(t["new"]["id"], t["baseline"], t["target"]) for t in report["targets"]]
    programme_rehome(programme=programme, province=carry.to_province, targets=targets, by=by, reason=reason)

    carry.snapshot = {"households": [[pk, c, v] for pk, c, v, _n in households], "devices": snapshot_devices,
                      "targets": [list(t) for t in snapshot_targets]}
    carry.status = CarryOver.Status.DONE
    carry.finished_at = timezone.now()
    carry.save(update_fields=["snapshot", "status", "finished_at"])
    _say(carry.pk, total, total, "done")
    return carry


def _group(triples) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for device_id, _frm, to in triples:
        out[to].append(device_id)
    return out


def undo_blocker(carry: CarryOver) -> str | None:
    """Why the carry-over can no longer be undone (None: it can)."""
    if carry.status != CarryOver.Status.DONE:
        return _("Chỉ hoàn tác được lần chuyển đã xong.")
    if Batch.objects.filter(programme_id=carry.programme_id, created_at__gte=carry.finished_at).exclude(
            status=Batch.Status.CANCELLED).exists():
        return _("Đã có đợt bàn giao theo đơn vị mới; không hoàn tác được nữa.")
    if Handout.objects.filter(programme_id=carry.programme_id, created_at__gte=carry.finished_at).exists():
        return _("Đã có máy cấp phát theo đơn vị mới; không hoàn tác được nữa.")
    return None


@transaction.atomic
def carryover_undo(*, carry: CarryOver, by) -> CarryOver:
    carry = locked(CarryOver.objects.select_related("programme", "from_province")).get(pk=carry.pk)
    _check_staff(carry.programme, by, also=carry.from_province)
    if carry.status != CarryOver.Status.DONE:
        raise DomainError(_("Chỉ hoàn tác được lần chuyển đã xong."), code=CarryCode.NOT_DONE)
    if (blocker := undo_blocker(carry)) is not None:
        raise DomainError(blocker, code=CarryCode.TOO_LATE)
    programme = locked(Programme, no_key=True).get(pk=carry.programme_id)
    reason = messages.encode(Code.REASON_CARRY_OVER_UNDONE)
    snap = carry.snapshot
    households_rehome(moves={pk: (c, v) for pk, c, v in snap["households"]}, by=by, reason=reason)
    # Phones still in stock where the carry-over put them go back, with a ledger row each.
    back = {d: (frm, to) for d, frm, to in snap["devices"]}
    devices = list(locked(Device.objects.filter(pk__in=list(back), status=S.IN_STOCK)))
    movements = [DeviceMovement.build(d, Kind.CARRY_OVER, by=by, status_after=S.IN_STOCK, from_unit_id=d.holder_unit_id,
                                      to_unit_id=back[d.pk][0], reason=reason)
                 for d in devices if d.holder_unit_id == back[d.pk][1]]
    DeviceMovement.objects.bulk_create(movements)
    for to, ids in _group([[m.device_id, None, m.to_unit_id] for m in movements]).items():
        Device.objects.filter(pk__in=ids).update(holder_unit_id=to)
    programme_rehome(programme=programme, province=carry.from_province,
                     targets=[tuple(t) for t in snap["targets"]], by=by, reason=reason)
    carry.status = CarryOver.Status.UNDONE
    carry.undone_at, carry.undone_by = timezone.now(), by
    carry.save(update_fields=["status", "undone_at", "undone_by"])
    return carry
