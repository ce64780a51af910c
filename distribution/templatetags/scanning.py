"""The strings and asset addresses the IMEI scanner and the offline hand-out session
need in JavaScript, translated by Django and handed to the page as JSON."""

from django import template
from django.templatetags.static import static
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()


def scan_strings() -> dict[str, str]:
    return {
        "zxing": static("vendor/zxing/zxing.min.js"),
        "scan": _("Quét mã vạch"),
        "close": _("Xong"),
        "aim": _("Đưa mã vạch IMEI vào giữa khung hình."),
        "no_camera": _("Không mở được camera; hãy gõ IMEI."),
        "scanned": _("Đã quét IMEI %s."),
        "valid": _("IMEI %s hợp lệ."),
        "already": _("IMEI %s đã có trong danh sách."),
        "invalid": _("“%s” không phải IMEI hợp lệ (cần 15 chữ số, đúng chữ số kiểm tra)."),
        "not_in_stock": _("Không có máy nào trong kho khớp với số đã gõ."),
    }


@register.simple_tag
def scan_strings_json():
    return json_script(scan_strings(), "scan-strings")
