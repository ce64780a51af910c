"""Export of outcomes: every recipient the user follows up, with their latest visit."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from phocap.exports.registry import Column, Export

from . import selectors
from .models import Visit


def recipients(user, params):
    qs = selectors.recipients(user=user, not_visited=params.get("chua-tham") == "1", q=params.get("q", ""))
    return qs.prefetch_related(Prefetch("visits", queryset=Visit.objects.filter(is_latest=True),
                                        to_attr="latest_visits"))


def _v(attr):
    def get(h):
        if not h.latest_visits:
            return ""
        visit = h.latest_visits[0]
        value = getattr(visit, attr)
        return value() if callable(value) else value
    return get


EXPORTS = [
    Export("outcomes", "ket-qua-sau-cap-may", _("Kết quả sau cấp máy"), (
        Column(_("Xã"), lambda h: h.commune.full_name),
        Column(_("Thôn/bản"), lambda h: h.household.village.name if h.household.village else ""),
        Column(_("Họ tên người nhận"), lambda h: h.recipient_name),
        Column(_("Ngày cấp"), lambda h: h.handed_out_on),
        Column(_("Ngày thăm gần nhất"), _v("visited_on")),
        Column("VNeID", _v("get_vneid_level_display")),
        Column(_("Đã dùng dịch vụ công trực tuyến"), _v("online_service_used")),
        Column(_("Đã mở tài khoản thanh toán không dùng tiền mặt"), _v("cashless_account_open")),
        Column(_("Đã dùng thanh toán không dùng tiền mặt"), _v("cashless_used")),
        Column(_("Tình trạng máy"), _v("get_phone_status_display")),
    ), recipients),
]
