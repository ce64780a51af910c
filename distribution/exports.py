"""Exports of distribution's lists (devices, batches, hand-outs): the same filters and scope
as the pages (see phocap.exports)."""

from django.utils.translation import gettext_lazy as _

from phocap.exports.registry import Column, Export

from . import selectors


def devices(user, params):
    return selectors.devices_filtered(user=user, q=params.get("q", ""), status=params.get("status", ""))


def batches(user, params):
    return selectors.batches_for(user=user, direction=selectors.batch_direction(user=user, chosen=params.get("huong")))


def handouts(user, params):
    return selectors.handouts_for(user=user)


EXPORTS = [
    Export("devices", "may", _("Điện thoại"), (
        Column("IMEI", lambda d: d.imei),
        Column(_("Loại máy"), lambda d: d.model),
        Column(_("Tình trạng"), lambda d: d.get_condition_display()),
        Column(_("Trạng thái"), lambda d: d.get_status_display()),
        Column(_("Đơn vị giữ máy"), lambda d: d.holder_unit.full_name if d.holder_unit else ""),
        Column(_("Đang chuyển đến"), lambda d: d.batch.to_unit.full_name if d.batch_id else ""),
        Column(_("Ngày nhập"), lambda d: d.registered_at),
    ), devices),
    Export("batches", "dot-ban-giao", _("Đợt bàn giao"), (
        Column(_("Số biên bản"), lambda b: b.document_number),
        Column(_("Đợt số"), lambda b: b.number),
        Column(_("Đơn vị giao"), lambda b: b.from_unit.full_name),
        Column(_("Đơn vị nhận"), lambda b: b.to_unit.full_name),
        Column(_("Trạng thái"), lambda b: b.get_status_display()),
        Column(_("Số máy"), lambda b: b.n_devices, "#,##0"),
        Column(_("Thiếu"), lambda b: b.n_missing, "#,##0"),
        Column(_("Ngày giao"), lambda b: b.dispatched_at),
        Column(_("Ngày nhận"), lambda b: b.received_at),
    ), batches),
    Export("handouts", "cap-phat", _("Cấp phát"), (
        Column(_("Số biên bản"), lambda h: h.document_number),
        Column(_("Xã"), lambda h: h.commune.full_name),
        Column(_("Hộ gia đình"), lambda h: h.household.head_name),
        Column(_("Họ tên người nhận"), lambda h: h.recipient_name),
        Column("IMEI", lambda h: h.device.imei),
        Column(_("Ngày cấp"), lambda h: h.handed_out_on),
        Column(_("Trạng thái"), lambda h: h.get_status_display()),
    ), handouts),
]


