"""The kinds of notification and their text (Vietnamese msgids, shown in the reader's
language; `params` fill the placeholders).

A notification is stored once and read later, in whatever language the reader then uses,
so `params` hold no translated text: a value that has a label (a model field's choice)
is stored as `choice(...)` — the field and its code — and labelled when displayed."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

TEXTS = {
    "batch_dispatched": _("Đợt %(number)s từ %(from_unit)s đã giao đến %(to_unit)s: %(devices)s máy chờ xác nhận."),
    "batch_unconfirmed": _("Đợt %(number)s gửi %(to_unit)s từ %(dispatched)s vẫn chưa được xác nhận."),
    "pledge_overdue": _("Cam kết của %(donor)s đã quá hạn (hạn %(due)s)."),
    "import_validated": _("Danh sách hộ %(file)s của %(commune)s đã kiểm tra xong, chờ xác nhận nhập."),
    "import_merged": _("Đã nhập xong danh sách hộ %(file)s của %(commune)s."),
    "import_failed": _("Lượt nhập danh sách hộ %(file)s của %(commune)s bị lỗi."),
    "report_done": _("Báo cáo phổ cập %(unit)s đã sẵn sàng để tải về."),
    "report_failed": _("Không tạo được báo cáo phổ cập %(unit)s."),
    "grievance_assigned": _("Phản ánh mới tại %(commune)s: %(kind)s (hạn xử lý %(due)s)."),
    "grievance_overdue": _("Phản ánh tại %(commune)s đã quá hạn xử lý (%(due)s)."),
}


def choice(model, field: str, value: str) -> dict:
    """A param labelled on display: `{"choice": "<app_label>.<Model>.<field>", "value": code}`."""
    return {"choice": f"{model._meta.label}.{field}", "value": value}


def param_text(value):
    """A stored param as text in the active language (a plain value is shown as it is)."""
    if isinstance(value, dict) and "choice" in value:
        label, _sep, field = value["choice"].rpartition(".")
        try:
            choices = dict(apps.get_model(label)._meta.get_field(field).flatchoices)
        except (LookupError, FieldDoesNotExist):  # a model or field that no longer exists: show the code
            return value.get("value", "")
        return str(choices.get(value.get("value"), value.get("value", "")))
    return value
