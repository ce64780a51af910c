"""The strings and asset addresses the IMEI scanner and the offline hand-out session
need in JavaScript, translated by Django and handed to the page as JSON."""

from django import template
from django.conf import settings
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


def session_strings() -> dict:
    return {
        "days": settings.PHOCAP_OFFLINE_DAYS,
        "online": _("Có mạng"),
        "offline": _("Không có mạng: các lượt cấp phát được ghi trên máy"),
        "session_title": _("Phiên của %(village)s, %(commune)s"),
        "expiry": _("Mở lúc %(opened)s; dữ liệu cá nhân tự xóa lúc %(expires)s."),
        "opening": _("Đang tải danh sách ưu tiên và kho máy…"),
        "open_failed": _("Không tải được danh sách (cần có mạng): %(detail)s"),
        "received": _("đã nhận máy"),
        "queued": _("đã ghi, chờ gửi"),
        "record": _("Ghi cấp máy"),
        "other_person": _("— người khác trong hộ (ghi tên bên dưới) —"),
        "err_name": _("Cần họ tên người nhận."),
        "err_cid": _("Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số)."),
        "err_imei": _("IMEI phải có 15 chữ số và đúng chữ số kiểm tra; hãy quét lại."),
        "err_not_stock": _("IMEI %(imei)s không có trong kho của xã đã tải về."),
        "err_used": _("IMEI %(imei)s đã được ghi cho hộ khác trong phiên này."),
        "err_at": _("Ngày giờ cấp không được sau hiện tại."),
        "err_consent": _("Cần người nhận đồng ý cho xử lý dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP)."),
        "record_visit": _("Ghi lần thăm"),
        "visited": _("đã thăm %(on)s"),
        "not_visited": _("chưa thăm"),
        "visit_line": _("Thăm lại: %(name)s — %(household)s — %(on)s"),
        "visit_saved": _("Đã ghi lần thăm %(name)s (chưa gửi)."),
        "err_visit_date": _("Cần ngày thăm."),
        "err_visit_future": _("Ngày thăm không được sau hôm nay."),
        "err_visit_before": _("Ngày thăm không được trước ngày cấp máy (%(on)s)."),
        "err_visit_cashless": _("Đã dùng thanh toán không dùng tiền mặt thì phải có tài khoản."),
        "conflict_visit": _("Máy chủ không nhận lần thăm này."),
        "discard_visit_confirm": _("Bỏ hẳn lần thăm này? Nó sẽ không được gửi."),
        "saved": _("Đã ghi cấp máy IMEI %(imei)s cho %(name)s (chưa gửi)."),
        "sending": _("Đang gửi %(n)s bản ghi…"),
        "sent": _("Máy chủ đã nhận %(n)s bản ghi."),
        "sync_offline": _("Không có mạng; các lượt cấp phát vẫn nằm trên máy, hãy gửi lại khi có sóng."),
        "sync_login": _("Phiên đăng nhập đã hết; hãy đăng nhập lại rồi gửi. Không mất dữ liệu nào."),
        "sync_error": _("Máy chủ chưa nhận (%(detail)s); các lượt cấp phát vẫn nằm trên máy."),
        "all_sent": _("Đã gửi hết. Dữ liệu cá nhân của phiên đã được xóa khỏi máy."),
        "conflict_device_handed_out": _("Máy này đã được cấp cho người khác trong lúc bạn không có mạng."),
        "conflict_household_already_received": _("Hộ này đã nhận đủ máy (có thể do cán bộ khác ghi)."),
        "conflict_device_not_in_stock": _("Máy này không còn trong kho của xã (đã chuyển đi, báo thiếu hoặc hỏng)."),
        "conflict_other": _("Máy chủ không nhận lượt cấp phát này."),
        "choose_phone": _("Chọn máy khác"),
        "choose_household": _("Ghi cho hộ khác"),
        "discard": _("Bỏ bản ghi này"),
        "resend": _("Gửi lại"),
        "discard_confirm": _("Bỏ hẳn lượt cấp phát này? Nó sẽ không được gửi."),
        "close_confirm": _("Xóa dữ liệu của phiên khỏi máy?"),
        "close_pending": _("Còn %(n)s lượt cấp phát chưa gửi: chúng vẫn được giữ trên máy đến khi gửi."),
        "other_user": _("Trên máy này còn %(n)s lượt cấp phát của tài khoản khác; người đó cần đăng nhập để gửi."),
    }


@register.simple_tag
def session_strings_json():
    return json_script(session_strings(), "session-strings")
