"""Reasons distribution stores on history and ledger rows, and a carry-over's blockers
and failure, by code (`errors.Code`),
shown in the reader's language by `phocap.common.messages`; registered from ready()."""

from django.utils.translation import gettext_lazy

from phocap.common import messages

from .errors import Code

TEXTS = {
    "carryover_blocked": gettext_lazy("Chưa chuyển được: %(b)s"),
    Code.BLOCKER_TARGET_NOT_CONVERTED: gettext_lazy("Xã mục tiêu %(c)s không có trong bảng chuyển đổi chính thức."),
    Code.BLOCKER_COMMUNE_NOT_CONVERTED: gettext_lazy("%(c)s (%(n)s hộ) không có trong bảng chuyển đổi chính thức."),
    Code.BLOCKER_OTHER_PROVINCE: gettext_lazy("%(c)s chuyển sang tỉnh khác, không thuộc %(p)s."),
    Code.BLOCKER_VILLAGES_UNCHOSEN: gettext_lazy("Còn %(n)s thôn/bản của xã bị chia chưa chọn xã mới."),
    Code.BLOCKER_STOCK_NOT_CONVERTED: gettext_lazy("%(u)s giữ %(n)s máy nhưng không có trong bảng chuyển đổi."),
    Code.BLOCKER_DISTRICT_STOCK: gettext_lazy("Máy còn trong kho của huyện (cấp huyện đã bãi bỏ): hãy bàn giao xuống "
                                              "xã bằng đợt bàn giao thông thường trước khi chuyển."),
    Code.BLOCKER_BATCHES_IN_TRANSIT: gettext_lazy("Còn %(n)s đợt bàn giao chưa được xác nhận; hãy xác nhận hoặc hủy "
                                                  "trước khi chuyển."),
    Code.BLOCKER_OTHER_PROGRAMMES: gettext_lazy("Tỉnh còn chương trình khác đang triển khai theo đơn vị cũ: %(p)s."),
    Code.REASON_CARRIED_OVER: gettext_lazy("Chuyển sang đơn vị hành chính mới (%(p)s)"),
    Code.REASON_CARRY_OVER_UNDONE: gettext_lazy("Hoàn tác việc chuyển sang đơn vị hành chính mới"),
}


def register() -> None:
    messages.register(TEXTS)
    # Rows written before reasons were stored as codes (in the actor's language then).
    messages.register_legacy(r"Chuyển sang đơn vị hành chính mới \((?P<p>.*)\)", Code.REASON_CARRIED_OVER)
    messages.register_legacy("Hoàn tác việc chuyển sang đơn vị hành chính mới", Code.REASON_CARRY_OVER_UNDONE)
