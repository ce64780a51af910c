"""Export of grievances as the list page filters them (the user's area)."""

from django.utils.translation import gettext_lazy as _

from phocap.exports.registry import Column, Export

from .models import Grievance


def grievances(user, params):
    qs = Grievance.objects.for_user(user).select_related("commune")
    if params.get("qua-han") == "1":
        qs = qs.overdue()
    if params.get("trang-thai") in Grievance.Status.values:
        qs = qs.filter(status=params["trang-thai"])
    return qs.order_by("status", "deadline", "pk")


EXPORTS = [
    Export("grievances", "phan-anh", _("Phản ánh"), (
        Column(_("Mã phản ánh"), lambda g: g.reference),
        Column(_("Xã"), lambda g: g.commune.full_name),
        Column(_("Loại phản ánh"), lambda g: g.get_kind_display()),
        Column(_("Nguồn"), lambda g: g.get_source_display()),
        Column(_("Người phản ánh"), lambda g: g.reporter_name),
        Column(_("Số điện thoại"), lambda g: g.reporter_phone),
        Column(_("Nội dung"), lambda g: g.description),
        Column(_("Ngày tiếp nhận"), lambda g: g.received_on),
        Column(_("Hạn xử lý"), lambda g: g.deadline),
        Column(_("Trạng thái"), lambda g: g.get_status_display()),
        Column(_("Quá hạn"), lambda g: _("Có") if g.is_overdue else ""),
        Column(_("Kết quả xử lý"), lambda g: g.outcome),
        Column(_("Xử lý lúc"), lambda g: g.handled_at),
    ), grievances),
]
