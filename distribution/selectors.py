"""Reads that join or aggregate: stock per unit, a device's path, drift."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from phocap.accounts.scoping import user_units
from phocap.areas.models import AdminUnit

from .models import Batch, BatchLine, Device, DeviceMovement, Handout

S = Device.Status


def stock_at(unit: AdminUnit, *, programme=None, usable_only: bool = False) -> int:
    """The phones physically in stock at this unit (a COUNT, never stored); damaged ones
    too unless `usable_only` (what can still be dispatched or handed out)."""
    qs = Device.objects.in_stock_at(unit)
    if programme is not None:
        qs = qs.filter(programme=programme)
    if usable_only:
        qs = qs.usable()
    return qs.count()


def stock_devices(unit: AdminUnit, *, programme) -> list[dict]:
    """The usable phones in stock at this unit for a programme, as the hand-out picker
    needs them: IMEI and model only (one query, IMEI order)."""
    return list(Device.objects.in_stock_at(unit).filter(programme=programme).usable()
                .order_by("imei").values("imei", "model"))


@dataclass
class UnitStock:
    unit: AdminUnit
    in_stock: int = 0
    damaged: int = 0
    in_transit_to: int = 0
    missing: int = 0
    handed_out: int = 0
    written_off: int = 0


def stock_by_unit(*, user, programme=None) -> list[UnitStock]:
    """Per unit the user can see: in stock, damaged, in transit to it, missing, handed out.

    Two GROUP BY queries and one unit lookup, whatever the number of devices.
    """
    devices = Device.objects.for_user(user)
    if programme is not None:
        devices = devices.filter(programme=programme)
    rows: dict[int, UnitStock] = {}
    placed = (devices.filter(holder_unit__isnull=False).values("holder_unit", "status", "condition")
              .annotate(n=Count("pk")).order_by())
    transit = (devices.filter(status=S.IN_TRANSIT).values("batch__to_unit").annotate(n=Count("pk")).order_by())
    counts: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for r in placed:
        c = counts[r["holder_unit"]]
        if r["status"] == S.IN_STOCK and r["condition"] == Device.Condition.DAMAGED:
            c["damaged"] += r["n"]
        else:
            c[r["status"]] += r["n"]
    for r in transit:
        counts[r["batch__to_unit"]]["in_transit_to"] += r["n"]
    units = AdminUnit.objects.in_bulk(list(counts))
    for unit_id, c in counts.items():
        rows[unit_id] = UnitStock(unit=units[unit_id], in_stock=c[S.IN_STOCK], damaged=c["damaged"],
                                  in_transit_to=c["in_transit_to"], missing=c[S.MISSING],
                                  handed_out=c[S.HANDED_OUT], written_off=c[S.WRITTEN_OFF])
    return sorted(rows.values(), key=lambda r: r.unit.path)


def device_path(device: Device):
    """The device's ledger with units, batches, hand-outs and users in one query."""
    return (device.movements.select_related("from_unit", "to_unit", "batch", "handout", "by")
            .order_by("pk"))


def batches_for(*, user, direction: str):
    """Outgoing ("out") or incoming ("in") batches of the user's units, newest first."""
    units = [u.pk for u in user_units(user)]
    qs = Batch.objects.for_user(user).select_related("from_unit", "to_unit").annotate(
        n_devices=Count("lines"),
        n_missing=Count("lines", filter=Q(lines__outcome=BatchLine.Outcome.MISSING)))
    if not user.is_superuser:
        qs = qs.filter(from_unit__in=units) if direction == "out" else qs.filter(to_unit__in=units)
    return qs.order_by("-pk")


def batch_direction(*, user, chosen: str | None) -> str:
    """The batch list's tab: ?huong=di (out) or den (in); else the tab that has batches (the
    province only sends, a commune only receives)."""
    if chosen in ("di", "den"):
        return "out" if chosen == "di" else "in"
    has_in = batches_for(user=user, direction="in").exists()
    return "in" if has_in or not batches_for(user=user, direction="out").exists() else "out"


def batch_history(batch: Batch) -> list[dict]:
    """The batch's ledger grouped by kind of movement, in the order they happened."""
    rows = (DeviceMovement.objects.filter(batch=batch).values("kind")
            .annotate(n=Count("pk"), first=Min("at")).order_by("first"))
    return [{**r, "label": DeviceMovement.Kind(r["kind"]).label} for r in rows]


def devices_filtered(*, user, q: str = "", status: str = ""):
    """The device list as the page filters it: part of an IMEI, a status."""
    qs = Device.objects.for_user(user).select_related("holder_unit", "batch__to_unit")
    q = "".join((q or "").split())
    if q:
        qs = qs.filter(imei__contains=q)
    if status in Device.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-pk")


def handouts_for(*, user):
    return (Handout.objects.for_user(user)
            .select_related("household", "device", "commune").order_by("-pk"))


# --- reconciliation ----------------------------------------------------------------------

@dataclass
class Drift:
    imei: str
    problem: str  # in the active language


def _projection(status, unit, batch) -> str:
    return _("%(status)s, đơn vị %(unit)s, đợt %(batch)s") % {"status": status, "unit": unit, "batch": batch}


def device_drift(*, chunk_size: int = 5000) -> list[Drift]:
    """Recompute every device's place from its last ledger row and compare with the projection.

    Also checks the three links the place depends on: an in-transit device has an open line
    in its batch, a handed-out device has one active hand-out in its commune, and every
    active hand-out's device is handed out. One streamed query per check.
    """
    last = DeviceMovement.objects.filter(device=OuterRef("pk")).order_by("-pk")
    rows = (Device.objects.annotate(
        last_status=Subquery(last.values("status_after")[:1]),
        last_unit=Subquery(last.values("to_unit")[:1]),
        last_batch=Subquery(last.values("batch")[:1]),
    ).values_list("imei", "status", "holder_unit_id", "batch_id", "last_status", "last_unit", "last_batch")
        .order_by("pk"))
    drift: list[Drift] = []
    for imei, status, unit_id, batch_id, l_status, l_unit, l_batch in rows.iterator(chunk_size=chunk_size):
        if l_status is None:
            drift.append(Drift(imei, _("không có dòng sổ cái nào")))
            continue
        exp_unit = None if l_status == S.IN_TRANSIT else l_unit
        exp_batch = l_batch if l_status == S.IN_TRANSIT else None
        if (status, unit_id, batch_id) != (l_status, exp_unit, exp_batch):
            drift.append(Drift(imei, _("vị trí hiện ghi (%(now)s) ≠ theo sổ cái (%(ledger)s)") % {
                "now": _projection(status, unit_id, batch_id), "ledger": _projection(l_status, exp_unit, exp_batch)}))
    open_line = BatchLine.objects.filter(device=OuterRef("pk"), batch=OuterRef("batch"),
                                         outcome=BatchLine.Outcome.IN_TRANSIT)
    for imei in (Device.objects.filter(status=S.IN_TRANSIT).filter(~Exists(open_line))
                 .values_list("imei", flat=True)):
        drift.append(Drift(imei, _("đang vận chuyển nhưng đợt của máy không có dòng đang mở")))
    for imei in (BatchLine.objects.filter(outcome=BatchLine.Outcome.IN_TRANSIT)
                 .exclude(device__status=S.IN_TRANSIT, device__batch=F("batch"))
                 .values_list("device__imei", flat=True)):
        drift.append(Drift(imei, _("có dòng đợt đang mở nhưng máy không thuộc đợt đó")))
    active = Handout.objects.filter(device=OuterRef("pk"), commune=OuterRef("holder_unit"),
                                    status=Handout.Status.ACTIVE)
    for imei in (Device.objects.filter(status=S.HANDED_OUT).filter(~Exists(active))
                 .values_list("imei", flat=True)):
        drift.append(Drift(imei, _("đã cấp nhưng xã giữ máy không có lượt cấp phát còn hiệu lực")))
    for imei in (Handout.objects.active().exclude(device__status=S.HANDED_OUT)
                 .values_list("device__imei", flat=True)):
        drift.append(Drift(imei, _("có lượt cấp phát còn hiệu lực nhưng máy không ở trạng thái đã cấp")))
    return drift


def source_room(source) -> tuple[int, int]:
    """(phones the source brought, phones already registered against it) for a donation
    in kind or a purchase: the one reading of a source's capacity, for the intake service
    (under its lock) and the pages that show what is left."""
    from donations.models import Donation

    if isinstance(source, Donation):
        return source.phones_count or 0, Device.objects.filter(source_donation=source).count()
    return source.quantity or 0, Device.objects.filter(source_procurement=source).count()
