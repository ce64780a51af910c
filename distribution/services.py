"""Every write of the distribution app. One transaction each; rows are locked in pk order;
the ledger row and the device's projection are written together; coverage hears about
changed communes after commit."""

import datetime
import functools
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beneficiaries import eligibility
from beneficiaries.citizen_ids import mask_id, require_valid_id
from beneficiaries.signals import phones_changed
from phocap.accounts.models import Role, User
from phocap.accounts.scoping import can_write_unit, is_officer_of, memberships
from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError
from phocap.common.formatting import format_date
from phocap.common.locking import locked
from phocap.programmes.models import Programme
from phocap.programmes.services import programme_check_open, programme_fresh

from . import imeis as imei_rules
from .errors import Code
from .models import Batch, BatchLine, Device, DeviceMovement, Handout
from .selectors import source_room
from .signals import devices_changed

Kind = DeviceMovement.Kind
S = Device.Status


# --- helpers -----------------------------------------------------------------------------

def _communes_changed(*units: AdminUnit | None) -> None:
    ids = {u.pk for u in units if u is not None and u.level == AdminUnit.Level.COMMUNE}
    if ids:
        transaction.on_commit(lambda: devices_changed.send(sender=Device, commune_ids=ids))


def _registry_learns(handout: Handout, delta: int) -> None:
    """Tell the registry, on commit, that a member got (+1) or gave back (-1) a phone. Registered
    before devices_changed, so coverage rebuilds after the registry's counts moved."""
    change = {"household_id": handout.household_id, "person_id": handout.person_id, "delta": delta}
    transaction.on_commit(lambda: phones_changed.send(sender=Handout, changes=[change]))


def _check_in_programme(programme: Programme, unit: AdminUnit) -> None:
    if not unit.is_within(programme.province):
        raise DomainError(_("%(unit)s không thuộc tỉnh của chương trình %(p)s.")
                          % {"unit": unit, "p": programme}, code=Code.UNIT_OUTSIDE_PROGRAMME)


def _when(at: datetime.datetime | None, *, not_before: datetime.datetime | None = None) -> datetime.datetime:
    """The moment an event happened: now, or the date written on paper minutes entered later."""
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise DomainError(_("Thời điểm không được sau hiện tại."), code=Code.DATE_IN_FUTURE)
    if not_before is not None and at < not_before:
        raise DomainError(_("Thời điểm nhận không được trước thời điểm giao."), code=Code.RECEIVED_BEFORE_DISPATCHED)
    return at


def _user_unit_error(unit: AdminUnit) -> DomainError:
    return DomainError(_("Bạn không phải cán bộ của %(unit)s nên không thể thực hiện thao tác này.")
                       % {"unit": unit}, code=Code.NOT_OFFICER_OF_UNIT)


def _movements_from_devices(*, where: str, params: list, kind: str, by: User | None, status_after: str,
                            from_unit_id=None, to_unit_id=None, batch_id=None, reason: str = "",
                            at: datetime.datetime | None = None) -> int:
    """One INSERT ... SELECT writing a ledger row per device matching `where`.

    Set-based on purpose: a 5,000-device batch costs one statement, not 5,000 model
    instances (see the benchmark in docs/distribution.md).
    """
    m, d = DeviceMovement._meta, Device._meta
    col = lambda model_meta, name: connection.ops.quote_name(model_meta.get_field(name).column)  # noqa: E731
    columns = ", ".join(col(m, f) for f in ("device", "kind", "at", "by", "from_unit", "to_unit", "batch",
                                              "handout", "status_after", "reason"))
    now = connection.ops.adapt_datetimefield_value(at or timezone.now())
    # Identifiers come from the models' _meta and `where` from this module; values are parameters.
    sql = (f"INSERT INTO {connection.ops.quote_name(m.db_table)} ({columns}) "  # noqa: S608
           f"SELECT {col(d, 'id')}, %s, %s, %s, %s, %s, %s, NULL, %s, %s "
           f"FROM {connection.ops.quote_name(d.db_table)} WHERE {where}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, now, getattr(by, "pk", None), from_unit_id, to_unit_id, batch_id,
                             status_after, reason[:255], *params])
        return cursor.rowcount


def _lines_for_batch(batch: Batch) -> int:
    """One INSERT ... SELECT: an open line for every device the batch now carries."""
    b, d = BatchLine._meta, Device._meta
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(b.db_table)} ({qn(b.get_field('batch').column)}, {qn(b.get_field('device').column)}, "  # noqa: S608
           f"{qn('outcome')}, {qn('reason')}, {qn('resolution')}) "
           f"SELECT %s, {qn('id')}, %s, '', '' FROM {qn(d.db_table)} WHERE {qn(d.get_field('batch').column)} = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [batch.pk, BatchLine.Outcome.IN_TRANSIT, batch.pk])
        return cursor.rowcount


# --- intake ------------------------------------------------------------------------------

@transaction.atomic
def devices_register(*, programme: Programme, unit: AdminUnit, imeis: list[str], by: User,
                     donation=None, procurement=None, model: str = "",
                     condition: str = Device.Condition.NEW, at: datetime.datetime | None = None) -> list[Device]:
    """Register phones into the stock of the unit that received them; all or nothing.
    Without a `model`, the phones take the one written on their source."""
    from donations.models import Donation, Procurement

    if (donation is None) == (procurement is None):
        raise DomainError(_("Chọn đúng một nguồn: một khoản ủng hộ hiện vật hoặc một đợt mua sắm."), code=Code.SOURCE_NOT_ONE)
    if not can_write_unit(by, unit):
        raise _user_unit_error(unit)
    _check_in_programme(programme, unit)
    clean, errors = imei_rules.validate(enumerate(imeis, start=1))
    if errors:
        raise DomainError(" ".join(errors), code=Code.IMEI_LIST_INVALID)
    if not clean:
        raise DomainError(_("Chưa có IMEI nào."), code=Code.IMEI_LIST_EMPTY)
    if condition not in (Device.Condition.NEW, Device.Condition.USED):
        raise DomainError(_("Tình trạng máy khi nhập phải là mới hoặc đã qua sử dụng."), code=Code.INTAKE_CONDITION_INVALID)

    # Lock the source so two intakes against it cannot together exceed what it brought.
    if donation is not None:
        source = locked(Donation).get(pk=donation.pk)
        if source.reverses_id is not None or Donation.objects.filter(reverses=source).exists():
            raise DomainError(_("Khoản ủng hộ này đã bị điều chỉnh (bút toán đảo), không nhập máy theo khoản này."), code=Code.SOURCE_REVERSED)
        label = _("khoản ủng hộ hiện vật")
    else:
        source = locked(Procurement).get(pk=procurement.pk)
        label = _("đợt mua sắm")
    capacity, already = source_room(source)
    if source.programme_id != programme.pk:
        raise DomainError(_("Nguồn máy thuộc chương trình khác."), code=Code.SOURCE_OTHER_PROGRAMME)
    if source.unit_id != unit.pk:
        raise DomainError(_("Máy phải được nhập tại đơn vị đã nhận nguồn (%(unit)s).") % {"unit": source.unit}, code=Code.SOURCE_OTHER_UNIT)
    if already + len(clean) > capacity:
        raise DomainError(_("%(label)s chỉ có %(cap)s máy, đã nhập %(done)s; lần này %(n)s máy là vượt quá.")
                          % {"label": label.capitalize(), "cap": capacity, "done": already, "n": len(clean)}, code=Code.SOURCE_CAPACITY_EXCEEDED)

    model = model or source.phone_model
    at = _when(at)
    taken = list(Device.objects.filter(imei__in=clean).values_list("imei", flat=True))
    if taken:
        raise DomainError(_("Các IMEI đã được đăng ký trước đó: %(list)s.") % {"list": ", ".join(sorted(taken))}, code=Code.IMEI_ALREADY_REGISTERED)

    devices = [Device(imei=i, programme=programme, model=model, condition=condition, source_donation=donation,
                      source_procurement=procurement, status=S.IN_STOCK, holder_unit=unit, registered_by=by,
                      registered_at=at)
               for i in clean]
    try:
        with transaction.atomic():
            Device.objects.bulk_create(devices)
    except IntegrityError:
        raise DomainError(_("Một số IMEI vừa được người khác đăng ký; hãy kiểm tra lại danh sách."), code=Code.CONCURRENT_CHANGE)
    # The new devices are exactly this source's devices without a ledger row yet.
    qn = connection.ops.quote_name
    source_col = qn(Device._meta.get_field("source_donation" if donation is not None else "source_procurement").column)
    _movements_from_devices(
        where=(f"{source_col} = %s AND NOT EXISTS (SELECT 1 FROM {qn(DeviceMovement._meta.db_table)} m "  # noqa: S608
               f"WHERE m.{qn('device_id')} = {qn(Device._meta.db_table)}.{qn('id')})"),
        params=[source.pk], kind=Kind.INTAKE, by=by, status_after=S.IN_STOCK, to_unit_id=unit.pk, at=at)
    _communes_changed(unit)
    return devices


# --- batches -----------------------------------------------------------------------------

def next_batch_number(*, programme: Programme, from_unit: AdminUnit, to_unit: AdminUnit) -> int:
    last = (Batch.objects.filter(programme=programme, from_unit=from_unit, to_unit=to_unit)
            .exclude(status=Batch.Status.CANCELLED).aggregate(n=Max("number"))["n"])
    return (last or 0) + 1


def _describe_unavailable(device: Device, programme: Programme, from_unit: AdminUnit) -> DomainError | None:
    """Why `device` cannot leave `from_unit`'s stock now, saying where it is (None: it can)."""
    if device.programme_id != programme.pk:
        return DomainError(_("IMEI %(imei)s thuộc chương trình khác.") % {"imei": device.imei},
                           code=Code.DEVICE_OTHER_PROGRAMME)
    if device.status == S.IN_STOCK and device.holder_unit_id == from_unit.pk:
        if device.condition == Device.Condition.DAMAGED:
            return DomainError(_("IMEI %(imei)s là máy hỏng, không bàn giao.") % {"imei": device.imei},
                               code=Code.DEVICE_DAMAGED)
        return None
    return device_whereabouts_error(device, from_unit)


def device_whereabouts_error(device: Device, from_unit: AdminUnit) -> DomainError:
    """The error for a phone that is not in `from_unit`'s stock: where it is now, and since when
    (a phone "held elsewhere" must not read as if it were here)."""
    imei = device.imei
    if device.status == S.IN_TRANSIT:
        batch = Batch.objects.select_related("from_unit", "to_unit").get(pk=device.batch_id)
        return DomainError(
            _("IMEI %(imei)s không có trong kho của %(here)s: đang trên đường bàn giao từ %(from)s đến %(to)s "
              "(đợt %(no)s).") % {"imei": imei, "here": from_unit, "from": batch.from_unit, "to": batch.to_unit,
                                  "no": batch.number},
            code=Code.DEVICE_NOT_IN_STOCK)
    holder = AdminUnit.objects.get(pk=device.holder_unit_id)
    if device.status == S.HANDED_OUT:
        handout = Handout.objects.active().filter(device=device).select_related("commune").first()
        where = handout.commune if handout else holder
        on = format_date(handout.handed_out_on) if handout else ""
        return DomainError(_("IMEI %(imei)s đã được cấp phát cho một hộ tại %(unit)s ngày %(on)s.")
                           % {"imei": imei, "unit": where, "on": on}, code=Code.DEVICE_HANDED_OUT)
    if device.status == S.MISSING:
        message = _("IMEI %(imei)s không có trong kho của %(here)s: đang được báo thất lạc tại %(unit)s.")
    elif device.status == S.WRITTEN_OFF:
        message = _("IMEI %(imei)s không có trong kho của %(here)s: đã bị xóa sổ tại %(unit)s.")
    else:
        message = _("IMEI %(imei)s không có trong kho của %(here)s: máy đang ở kho của %(unit)s.")
    return DomainError(message % {"imei": imei, "here": from_unit, "unit": holder}, code=Code.DEVICE_NOT_IN_STOCK)


@transaction.atomic
def batch_dispatch(*, programme: Programme, from_unit: AdminUnit, to_unit: AdminUnit, by: User,
                   imeis: list[str] | None = None, count: int | None = None, number: int | None = None,
                   note: str = "", at: datetime.datetime | None = None) -> Batch:
    """Create and dispatch a batch: picked IMEIs, or the `count` oldest usable phones in stock."""
    if to_unit.parent_id != from_unit.pk:
        raise DomainError(_("%(to)s không trực thuộc %(from)s: chỉ bàn giao xuống đơn vị cấp dưới trực tiếp.")
                          % {"to": to_unit, "from": from_unit}, code=Code.NOT_DIRECT_CHILD)
    if to_unit.level == AdminUnit.Level.VILLAGE:
        raise DomainError(_("Không bàn giao máy xuống thôn, bản; xã cấp phát trực tiếp cho hộ."), code=Code.NO_DISPATCH_TO_VILLAGE)
    if not is_officer_of(by, from_unit):
        raise _user_unit_error(from_unit)
    _check_in_programme(programme, to_unit)
    programme_check_open(programme=programme, on=timezone.localdate(at) if at else timezone.localdate())
    if (imeis is None) == (count is None):
        raise DomainError(_("Chọn máy bằng danh sách IMEI hoặc bằng số lượng lấy từ kho."), code=Code.PICK_IMEIS_OR_COUNT)

    if imeis is not None:
        clean, errors = imei_rules.validate(enumerate(imeis, start=1))
        if errors:
            raise DomainError(" ".join(errors), code=Code.IMEI_LIST_INVALID)
        if not clean:
            raise DomainError(_("Chưa có IMEI nào."), code=Code.IMEI_LIST_EMPTY)
        devices = list(locked(Device.objects.filter(imei__in=clean)))
        found = {d.imei for d in devices}
        problems = [_("IMEI %(imei)s chưa được đăng ký.") % {"imei": i} for i in clean if i not in found]
        problems += [p.message for d in devices if (p := _describe_unavailable(d, programme, from_unit))]
        if problems:
            raise DomainError(" ".join(problems), code=Code.DEVICES_UNAVAILABLE)
        device_ids = [d.pk for d in devices]
    else:
        if count < 1:
            raise DomainError(_("Số lượng máy phải lớn hơn 0."), code=Code.COUNT_NOT_POSITIVE)
        # Oldest first; rows another dispatch is taking right now are skipped, not waited for.
        pick = (Device.objects.filter(programme=programme).in_stock_at(from_unit).usable()
                .order_by("registered_at", "pk"))
        pick = locked(pick, skip_locked=True, order_by=("registered_at", "pk"))
        device_ids = list(pick.values_list("pk", flat=True)[:count])
        if len(device_ids) < count:
            raise DomainError(ngettext("Kho của %(unit)s chỉ còn %(n)s máy dùng được, không đủ %(want)s máy.", "Kho của %(unit)s chỉ còn %(n)s máy dùng được, không đủ %(want)s máy.", len(device_ids))
                              % {"unit": from_unit, "n": len(device_ids), "want": count}, code=Code.STOCK_INSUFFICIENT)

    number = number or next_batch_number(programme=programme, from_unit=from_unit, to_unit=to_unit)
    if Batch.objects.filter(programme=programme, from_unit=from_unit, to_unit=to_unit, number=number).exclude(
            status=Batch.Status.CANCELLED).exists():
        raise DomainError(_("Đã có đợt %(no)s từ %(from)s đến %(to)s.")
                          % {"no": number, "from": from_unit, "to": to_unit}, code=Code.BATCH_NUMBER_TAKEN)
    now = _when(at)
    try:
        with transaction.atomic():
            batch = Batch.objects.create(programme=programme, number=number, from_unit=from_unit, to_unit=to_unit,
                                         status=Batch.Status.DISPATCHED, note=note, created_by=by,
                                         dispatched_at=now, dispatched_by=by)
            Device.objects.filter(pk__in=device_ids).update(status=S.IN_TRANSIT, holder_unit=None, batch=batch)
            _lines_for_batch(batch)
    except IntegrityError:
        raise DomainError(_("Một số máy hoặc số đợt vừa được người khác dùng; hãy tải lại trang và thử lại."), code=Code.CONCURRENT_CHANGE)
    qn = connection.ops.quote_name
    _movements_from_devices(where=f"{qn('batch_id')} = %s", params=[batch.pk], kind=Kind.DISPATCH, by=by,
                            status_after=S.IN_TRANSIT, from_unit_id=from_unit.pk, to_unit_id=to_unit.pk,
                            batch_id=batch.pk, at=now)
    _communes_changed(from_unit, to_unit)
    return batch


@transaction.atomic
def batch_receive(*, batch: Batch, by: User, missing: dict[int, str] | None = None,
                  damaged: dict[int, str] | None = None, at: datetime.datetime | None = None) -> Batch:
    """The receiving unit confirms a dispatched batch; missing or damaged devices keep a reason."""
    missing, damaged = dict(missing or {}), dict(damaged or {})
    batch = locked(Batch.objects.select_related("to_unit", "from_unit")).get(pk=batch.pk)
    if not batch.can_transition_to(Batch.Status.RECEIVED):
        raise DomainError(_("Đợt %(no)s đến %(to)s đang ở trạng thái “%(st)s”, không xác nhận lại được.")
                          % {"no": batch.number, "to": batch.to_unit, "st": batch.get_status_display()}, code=Code.BATCH_NOT_DISPATCHED)
    if not is_officer_of(by, batch.to_unit):
        raise DomainError(_("Chỉ cán bộ của %(unit)s (đơn vị nhận) được xác nhận đợt này.") % {"unit": batch.to_unit}, code=Code.NOT_RECEIVING_OFFICER)
    at = _when(at, not_before=batch.dispatched_at)
    # Lock the batch's devices (pk order) without building 5,000 model instances.
    device_ids = set(locked(Device.objects.filter(batch=batch)).values_list("pk", flat=True))
    problems = set(missing) | set(damaged)
    if set(missing) & set(damaged):
        raise DomainError(_("Một máy không thể vừa thiếu vừa hỏng."), code=Code.DEVICE_MISSING_AND_DAMAGED)
    if problems - device_ids:
        raise DomainError(_("Có máy không thuộc đợt này trong danh sách thiếu/hỏng."), code=Code.DEVICE_NOT_IN_BATCH)
    imeis = dict(Device.objects.filter(pk__in=list(problems)).values_list("pk", "imei")) if problems else {}
    for pk in problems:
        if not (missing.get(pk) or damaged.get(pk) or "").strip():
            raise DomainError(_("Cần ghi lý do cho máy IMEI %(imei)s.") % {"imei": imeis[pk]}, code=Code.REASON_REQUIRED)

    to_id, from_id = batch.to_unit_id, batch.from_unit_id
    # Problem devices are few: one ledger row each with its own reason.
    DeviceMovement.objects.bulk_create(
        [DeviceMovement(device_id=pk, kind=Kind.MISSING, by=by, status_after=S.MISSING, from_unit_id=from_id,
                        to_unit_id=to_id, batch=batch, reason=reason.strip()[:255], at=at)
         for pk, reason in missing.items()]
        + [DeviceMovement(device_id=pk, kind=Kind.DAMAGED, by=by, status_after=S.IN_STOCK, from_unit_id=from_id,
                          to_unit_id=to_id, batch=batch, reason=reason.strip()[:255], at=at)
           for pk, reason in damaged.items()])
    qn = connection.ops.quote_name
    problem_ids = sorted(problems)
    where, params = f"{qn('batch_id')} = %s", [batch.pk]
    if problem_ids:
        where += f" AND {qn('id')} NOT IN ({', '.join(['%s'] * len(problem_ids))})"
        params += problem_ids
    _movements_from_devices(where=where, params=params, kind=Kind.RECEIPT, by=by, status_after=S.IN_STOCK,
                            from_unit_id=from_id, to_unit_id=to_id, batch_id=batch.pk, at=at)

    in_batch = Device.objects.filter(batch=batch)
    in_batch.exclude(pk__in=problem_ids).update(status=S.IN_STOCK, holder_unit_id=to_id, batch=None)
    if damaged:
        in_batch.filter(pk__in=list(damaged)).update(status=S.IN_STOCK, holder_unit_id=to_id, batch=None,
                                                      condition=Device.Condition.DAMAGED)
    if missing:
        in_batch.filter(pk__in=list(missing)).update(status=S.MISSING, holder_unit_id=to_id, batch=None)

    open_lines = BatchLine.objects.filter(batch=batch, outcome=BatchLine.Outcome.IN_TRANSIT)
    if problem_ids:
        flagged = list(open_lines.filter(device_id__in=problem_ids))
        for line in flagged:
            if line.device_id in missing:
                line.outcome, line.reason = BatchLine.Outcome.MISSING, missing[line.device_id].strip()[:255]
            else:
                line.outcome, line.reason = BatchLine.Outcome.DAMAGED, damaged[line.device_id].strip()[:255]
        BatchLine.objects.bulk_update(flagged, ["outcome", "reason"])
    open_lines.update(outcome=BatchLine.Outcome.RECEIVED)

    batch.status = Batch.Status.RECEIVED
    batch.partial = bool(problems)
    batch.received_at = at
    batch.received_by = by
    batch.save(update_fields=["status", "partial", "received_at", "received_by"])
    _communes_changed(batch.to_unit)
    return batch


@transaction.atomic
def batch_cancel(*, batch: Batch, by: User, reason: str) -> Batch:
    """Reverse a dispatched batch before receipt: its phones go back to the sender's stock."""
    batch = locked(Batch.objects.select_related("to_unit", "from_unit")).get(pk=batch.pk)
    if not batch.can_transition_to(Batch.Status.CANCELLED):
        raise DomainError(_("Đợt %(no)s đang ở trạng thái “%(st)s”, không hủy được.")
                          % {"no": batch.number, "st": batch.get_status_display()}, code=Code.BATCH_NOT_DISPATCHED)
    if not is_officer_of(by, batch.from_unit):
        raise DomainError(_("Chỉ cán bộ của %(unit)s (đơn vị giao) được hủy đợt này.") % {"unit": batch.from_unit}, code=Code.NOT_SENDING_OFFICER)
    if not (reason or "").strip():
        raise DomainError(_("Cần ghi lý do hủy đợt."), code=Code.REASON_REQUIRED)
    list(locked(Device.objects.filter(batch=batch)).values_list("pk", flat=True))
    _movements_from_devices(where=f"{connection.ops.quote_name('batch_id')} = %s", params=[batch.pk],
                            kind=Kind.REVERSAL, by=by, status_after=S.IN_STOCK, from_unit_id=batch.to_unit_id,
                            to_unit_id=batch.from_unit_id, batch_id=batch.pk, reason=reason.strip())
    Device.objects.filter(batch=batch).update(status=S.IN_STOCK, holder_unit_id=batch.from_unit_id, batch=None)
    BatchLine.objects.filter(batch=batch, outcome=BatchLine.Outcome.IN_TRANSIT).update(
        outcome=BatchLine.Outcome.CANCELLED)
    batch.status = Batch.Status.CANCELLED
    batch.cancelled_at, batch.cancelled_by, batch.cancel_reason = timezone.now(), by, reason.strip()
    batch.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    _communes_changed(batch.from_unit, batch.to_unit)
    return batch


@transaction.atomic
def missing_resolve(*, device: Device, by: User, resolution: str, reason: str = "") -> Device:
    """Close a missing device: found at the receiver, returned to the sender, or written off."""
    device = locked(Device.objects.select_related("holder_unit")).get(pk=device.pk)
    if device.status != S.MISSING:
        raise DomainError(_("IMEI %(imei)s không ở trạng thái thất lạc.") % {"imei": device.imei}, code=Code.DEVICE_NOT_MISSING)
    if not can_write_unit(by, device.holder_unit):
        raise _user_unit_error(device.holder_unit)
    line = (locked(BatchLine.objects.select_related("batch", "batch__from_unit"))
            .filter(device=device, outcome=BatchLine.Outcome.MISSING, resolution="").order_by("-pk").first())
    R = BatchLine.Resolution
    if resolution == R.FOUND:
        status, unit, kind = S.IN_STOCK, device.holder_unit, Kind.FOUND
    elif resolution == R.RETURNED:
        if line is None:
            raise DomainError(_("Không tìm thấy đợt bàn giao của máy này để trả lại."), code=Code.BATCH_LINE_NOT_FOUND)
        status, unit, kind = S.IN_STOCK, line.batch.from_unit, Kind.RETURN
    elif resolution == R.WRITTEN_OFF:
        if not reason.strip():
            raise DomainError(_("Cần ghi lý do xóa sổ."), code=Code.REASON_REQUIRED)
        status, unit, kind = S.WRITTEN_OFF, device.holder_unit, Kind.WRITE_OFF
    else:
        raise DomainError(_("Cách xử lý không hợp lệ."), code=Code.RESOLUTION_INVALID)
    DeviceMovement.build(device, kind, by=by, status_after=status, from_unit_id=device.holder_unit_id,
                         to_unit_id=unit.pk, batch=line.batch if line else None, reason=reason.strip()).save()
    previous = device.holder_unit
    device.status, device.holder_unit = status, unit
    device.save(update_fields=["status", "holder_unit"])
    if line is not None:
        line.resolution, line.resolved_at = resolution, timezone.now()
        line.save(update_fields=["resolution", "resolved_at"])
    _communes_changed(previous, unit)
    return device


@transaction.atomic
def device_write_off(*, device: Device, by: User, reason: str) -> Device:
    """Write off a phone in stock (broken beyond use); missing ones go through missing_resolve."""
    device = locked(Device.objects.select_related("holder_unit")).get(pk=device.pk)
    if device.status == S.MISSING:
        return missing_resolve(device=device, by=by, resolution=BatchLine.Resolution.WRITTEN_OFF, reason=reason)
    if device.status != S.IN_STOCK:
        raise DomainError(_("Chỉ xóa sổ được máy đang trong kho hoặc thất lạc."), code=Code.DEVICE_NOT_WRITABLE_OFF)
    if not can_write_unit(by, device.holder_unit):
        raise _user_unit_error(device.holder_unit)
    if not (reason or "").strip():
        raise DomainError(_("Cần ghi lý do xóa sổ."), code=Code.REASON_REQUIRED)
    DeviceMovement.build(device, Kind.WRITE_OFF, by=by, status_after=S.WRITTEN_OFF,
                         from_unit_id=device.holder_unit_id, to_unit_id=device.holder_unit_id,
                         reason=reason.strip()).save()
    device.status = S.WRITTEN_OFF
    device.save(update_fields=["status"])
    _communes_changed(device.holder_unit)
    return device


# --- hand-outs ---------------------------------------------------------------------------

def household_may_receive(*, programme: Programme, household, done: int) -> bool:
    """Whether a household holding `done` active hand-outs may get one more in this programme
    (the programme's declared share: beneficiaries.eligibility.share_left)."""
    return eligibility.share_left(programme, household, done)


# A phone dated a little ahead of the server's clock is a phone clock, not the future.
CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass
class HandoutPreload:
    """What a sync of many hand-outs by one official reads once instead of per hand-out
    (`POST /api/v1/handouts/sync/`): the households (locked, pk order), their members, the
    phones (locked, pk order, after the households as everywhere), the programmes' status, the
    active hand-outs of those households and citizen IDs. `handout_create(preload=...)` applies
    the same rules to these rows and falls back to its own reads for anything not loaded.

    Each hand-out updates the preload as a commit would (the household's hand-outs, the citizen
    IDs, the phone's status, and the registry's count of adults without a phone), so a later
    item of the same batch sees it. The registry and coverage hear about the whole batch once,
    on commit (`announce`)."""

    households: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    devices: dict = field(default_factory=dict)
    programmes: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)          # (programme id, household id) -> [person id]
    citizen_ids_checked: set = field(default_factory=set)
    citizen_ids_taken: set = field(default_factory=set)  # (programme id, citizen ID)
    changes: list = field(default_factory=list)
    communes: set = field(default_factory=set)

    @classmethod
    def load(cls, *, by: User, household_ids, imeis, citizen_ids, programmes) -> "HandoutPreload":
        """Six queries whatever the number of items. Only households of communes where `by`
        hands out are locked; any other is left to the service's own checks (404)."""
        from beneficiaries.models import Household, Person

        households = Household.objects.select_related("commune").filter(pk__in=set(household_ids))
        if not getattr(by, "is_superuser", False):
            households = households.filter(commune_id__in=[m.unit_id for m in memberships(by)
                                                           if m.role == Role.COMMUNE_OFFICIAL])
        self = cls(households={h.pk: h for h in locked(households)})
        self.people = {p.pk: p for p in Person.objects.filter(household_id__in=list(self.households))}
        valid = [i for i in set(imeis) if imei_rules.is_valid_imei(i)]
        self.devices = {d.imei: d for d in locked(Device.objects.filter(imei__in=valid))} if valid else {}
        self.add_programmes(programmes, citizen_ids)
        return self

    def add_programmes(self, programmes, citizen_ids=()) -> None:
        programmes = [p for p in programmes if p.pk not in self.programmes]
        if not programmes:
            return
        self.programmes.update(programme_fresh(programmes))
        pids = [p.pk for p in programmes]
        for pid in pids:
            for hid in self.households:
                self.held[(pid, hid)] = []
        for pid, hid, person_id in (Handout.objects.active().filter(programme_id__in=pids,
                                                                      household_id__in=list(self.households))
                                    .values_list("programme_id", "household_id", "person_id")):
            self.held[(pid, hid)].append(person_id)
        cids = {c for c in citizen_ids if c} | {p.citizen_id for p in self.people.values() if p.citizen_id}
        self.citizen_ids_checked |= {(pid, c) for pid in pids for c in cids}
        self.citizen_ids_taken |= set(Handout.objects.active().filter(
            programme_id__in=pids, recipient_citizen_id__in=cids).values_list("programme_id", "recipient_citizen_id"))

    def citizen_id_taken(self, programme: Programme, citizen_id: str) -> bool:
        if (programme.pk, citizen_id) in self.citizen_ids_checked:
            return (programme.pk, citizen_id) in self.citizen_ids_taken
        return Handout.objects.active().filter(programme=programme, recipient_citizen_id=citizen_id).exists()

    def handed_out(self, handout: Handout, household, person) -> None:
        self.held.setdefault((handout.programme_id, household.pk), []).append(handout.person_id)
        self.citizen_ids_taken.add((handout.programme_id, handout.recipient_citizen_id))
        self.citizen_ids_checked.add((handout.programme_id, handout.recipient_citizen_id))
        # What the registry will record on commit (beneficiaries.services.household_phones_changed):
        # a member without a smartphone now has one; the household has one adult fewer without.
        if person is None or not person.has_smartphone:
            household.adults_without_phone = max(0, (household.adults_without_phone or 0) - 1)
        if person is not None:
            person.has_smartphone = True
        self.changes.append({"household_id": household.pk, "person_id": handout.person_id, "delta": +1})
        self.communes.add(handout.commune_id)

    def announce(self) -> None:
        """On commit: the registry first (all the batch's changes in one event), then coverage."""
        changes, communes = list(self.changes), set(self.communes)
        if changes:
            transaction.on_commit(lambda: phones_changed.send(sender=Handout, changes=changes))
        if communes:
            transaction.on_commit(lambda: devices_changed.send(sender=Device, commune_ids=communes))


def _refusing_concurrent_change(service):
    """A unique constraint that fired inside the service's transaction (or savepoint, now rolled
    back) is a refusal: another session got there first."""
    @functools.wraps(service)
    def wrapper(**kwargs):
        try:
            return service(**kwargs)
        except IntegrityError:
            raise DomainError(_("Máy hoặc người nhận này vừa được cấp phát ở một phiên khác."),
                              code=Code.CONCURRENT_CHANGE) from None
    return wrapper


@_refusing_concurrent_change
@transaction.atomic
def handout_create(*, programme: Programme, household, by: User, imei: str, recipient_name: str = "",
                   recipient_citizen_id: str = "", handed_out_on: datetime.date | None = None,
                   handed_at: datetime.datetime | None = None, person=None, exception_reason: str = "",
                   consent: bool = False, preload: HandoutPreload | None = None) -> Handout:
    """A commune official gives a phone from the commune's stock to a person of an active household.

    `handed_at` is the moment written down at the hand-out (an offline session sends it
    later); the day of the hand-out is then its local date. Outside the programme's declared
    eligibility it needs `exception_reason`, kept on the hand-out with the rules it breaks.
    `preload`: rows a batch sync read once for all its items (HandoutPreload)."""
    from beneficiaries.models import Household, Person

    if handed_at is not None:
        if handed_at > timezone.now() + CLOCK_SKEW:
            raise DomainError(_("Thời điểm cấp không được sau hiện tại."), code=Code.DATE_IN_FUTURE)
        handed_out_on = handed_out_on or timezone.localdate(handed_at)
    if handed_out_on is None:
        raise TypeError("handout_create needs handed_out_on or handed_at")

    # The household lock serialises hand-outs to one household (double submits included).
    if preload is not None and household.pk in preload.households:
        household = preload.households[household.pk]  # locked by the preload
    else:
        household = locked(Household.objects.select_related("commune")).get(pk=household.pk)
    commune = household.commune
    if not is_officer_of(by, commune, roles=[Role.COMMUNE_OFFICIAL]):
        raise DomainError(_("Chỉ cán bộ xã %(unit)s được cấp phát cho hộ của xã.") % {"unit": commune.name}, code=Code.NOT_COMMUNE_OFFICIAL)
    if household.status != Household.Status.ACTIVE:
        raise DomainError(_("Hộ %(name)s không còn hoạt động (đã chuyển đi hoặc tách/giải thể).")
                          % {"name": household.head_name}, code=Code.HOUSEHOLD_INACTIVE)
    _check_in_programme(programme, commune)
    if handed_out_on > timezone.localdate() and handed_at is None:
        raise DomainError(_("Ngày cấp không được sau hôm nay."), code=Code.DATE_IN_FUTURE)
    if handed_out_on < programme.start_date:
        raise DomainError(_("Ngày cấp trước ngày bắt đầu chương trình."), code=Code.DATE_BEFORE_PROGRAMME)
    programme_check_open(programme=programme, on=handed_out_on,
                         fresh=preload.programmes.get(programme.pk) if preload is not None else None)

    # One read for both rules below: whom of the household the programme already served.
    if preload is not None and (programme.pk, household.pk) in preload.held:
        held = list(preload.held[(programme.pk, household.pk)])
    else:
        held = list(Handout.objects.active().filter(programme=programme, household=household)
                    .values_list("person_id", flat=True))
    if person is not None:
        if preload is not None and person.pk in preload.people:
            person = preload.people[person.pk]
        else:
            person = Person.objects.filter(pk=person.pk).first()
        if person is None or person.household_id != household.pk or not person.is_active:
            raise DomainError(_("Người nhận không thuộc hộ này."), code=Code.PERSON_NOT_IN_HOUSEHOLD)
        if person.pk in held:
            raise DomainError(_("%(name)s đã được cấp điện thoại trong chương trình.") % {"name": person.full_name},
                              code=Code.HOUSEHOLD_ALREADY_RECEIVED)
        recipient_name = recipient_name or person.full_name
        recipient_citizen_id = recipient_citizen_id or (person.citizen_id or "")
    recipient_name = (recipient_name or "").strip()
    recipient_citizen_id = (recipient_citizen_id or "").strip()
    if not recipient_name:
        raise DomainError(_("Cần ghi họ tên người nhận."), code=Code.RECIPIENT_NAME_REQUIRED)
    require_valid_id(recipient_citizen_id)  # the registry's rule for a citizen ID

    done = len(held)
    # The household's own rules first (eligibility, its share): what the official can act on.
    verdict = eligibility.assess(programme, household, received=done, on=handed_out_on,
                                 birth_year=person.birth_year if person is not None else None)
    exception_reason = (exception_reason or "").strip()
    if not verdict.eligible and not exception_reason:
        raise DomainError(_("Hộ %(name)s: %(why)s Muốn cấp ngoại lệ, cần ghi lý do.")
                          % {"name": household.head_name, "why": verdict.message}, code=verdict.codes[0])
    if verdict.eligible:
        exception_reason = ""  # nothing to excuse: no exception is recorded
    if (preload.citizen_id_taken(programme, recipient_citizen_id) if preload is not None else
            Handout.objects.active().filter(programme=programme, recipient_citizen_id=recipient_citizen_id).exists()):
        raise DomainError(_("Người có số CCCD %(id)s đã được cấp điện thoại trong chương trình.")
                          % {"id": mask_id(recipient_citizen_id)}, code=Code.CITIZEN_ID_ALREADY_RECEIVED)

    imei = imei_rules.require_valid_imei(imei)
    if preload is not None and imei in preload.devices:
        device = preload.devices[imei]  # locked by the preload
    else:
        device = locked(Device.objects.filter(imei=imei)).first()
    if device is None:
        raise DomainError(_("IMEI %(imei)s chưa được đăng ký.") % {"imei": imei}, code=Code.IMEI_NOT_REGISTERED)
    if problem := _describe_unavailable(device, programme, commune):
        raise problem

    # A unique constraint the locks could not catch (SQLite; a citizen ID in another household)
    # raises IntegrityError here: _refusing_concurrent_change turns it into a refusal once this
    # savepoint is rolled back (no savepoint of its own: two statements fewer per hand-out).
    handout = Handout.objects.create(
        programme=programme, household=household, person=person, device=device, commune=commune,
        recipient_name=recipient_name, recipient_citizen_id=recipient_citizen_id,
        handed_out_on=handed_out_on, handed_at=handed_at, created_by=by, exception_reason=exception_reason,
        exception_rules=verdict.codes if exception_reason else [],
        # Decree 13/2023: when the recipient agreed to the processing of their data.
        consent_at=timezone.now() if consent else None)
    DeviceMovement.build(device, Kind.HANDOUT, by=by, status_after=S.HANDED_OUT, from_unit_id=commune.pk,
                         to_unit_id=commune.pk, handout=handout).save()
    device.status = S.HANDED_OUT
    device.save(update_fields=["status"])
    if preload is not None:
        preload.handed_out(handout, household, person)  # told on commit with the whole batch
    else:
        _registry_learns(handout, +1)
        _communes_changed(commune)
    return handout


@transaction.atomic
def handout_reverse(*, handout: Handout, by: User, reason: str) -> Handout:
    """The phone comes back (returned, wrong recipient): the hand-out is reversed, the phone restocked."""
    handout = locked(Handout.objects.select_related("commune")).get(pk=handout.pk)
    if not handout.can_transition_to(Handout.Status.REVERSED):
        raise DomainError(_("Biên bản cấp phát này đã được thu hồi trước đó."), code=Code.HANDOUT_ALREADY_REVERSED)
    if not is_officer_of(by, handout.commune, roles=[Role.COMMUNE_OFFICIAL]):
        raise DomainError(_("Chỉ cán bộ xã %(unit)s được thu hồi máy đã cấp.") % {"unit": handout.commune.name}, code=Code.NOT_COMMUNE_OFFICIAL)
    if not (reason or "").strip():
        raise DomainError(_("Cần ghi lý do thu hồi."), code=Code.REASON_REQUIRED)
    device = locked(Device).get(pk=handout.device_id)
    handout.status = Handout.Status.REVERSED
    handout.reversed_at, handout.reversed_by, handout.reversal_reason = timezone.now(), by, reason.strip()
    handout.save(update_fields=["status", "reversed_at", "reversed_by", "reversal_reason"])
    DeviceMovement.build(device, Kind.HANDOUT_RETURN, by=by, status_after=S.IN_STOCK,
                         from_unit_id=handout.commune_id, to_unit_id=handout.commune_id, handout=handout,
                         reason=reason.strip()).save()
    device.status, device.holder_unit_id = S.IN_STOCK, handout.commune_id
    device.save(update_fields=["status", "holder_unit"])
    _registry_learns(handout, -1)
    _communes_changed(handout.commune)
    return handout


# --- signed scans ------------------------------------------------------------------------

SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_MAX_BYTES = 10 * 1024 * 1024


def _check_scan(upload) -> None:
    name = (upload.name or "").lower()
    if not name.endswith(SCAN_EXTENSIONS):
        raise DomainError(_("Bản chụp phải là tệp PDF, JPG hoặc PNG."), code=Code.SCAN_TYPE_INVALID)
    if upload.size > SCAN_MAX_BYTES:
        raise DomainError(_("Bản chụp lớn hơn 10 MB; hãy chụp lại với độ phân giải thấp hơn."), code=Code.SCAN_TOO_LARGE)


@transaction.atomic
def batch_attach_scan(*, batch: Batch, by: User, upload) -> Batch:
    batch = locked(Batch.objects.select_related("to_unit")).get(pk=batch.pk)
    if not can_write_unit(by, batch.to_unit):
        raise _user_unit_error(batch.to_unit)
    if batch.status not in (Batch.Status.DISPATCHED, Batch.Status.RECEIVED):
        raise DomainError(_("Chỉ lưu biên bản cho đợt đã giao."), code=Code.SCAN_BATCH_NOT_SENT)
    _check_scan(upload)
    batch.signed_scan.save(f"bbbg-{batch.pk}-{upload.name}", upload, save=False)
    batch.save(update_fields=["signed_scan"])
    return batch


@transaction.atomic
def handout_attach_scan(*, handout: Handout, by: User, upload) -> Handout:
    handout = locked(Handout.objects.select_related("commune")).get(pk=handout.pk)
    if not can_write_unit(by, handout.commune):
        raise _user_unit_error(handout.commune)
    _check_scan(upload)
    handout.signed_scan.save(f"bbcp-{handout.pk}-{upload.name}", upload, save=False)
    handout.save(update_fields=["signed_scan"])
    return handout
