"""What distribution stores for people to read later, by code (`errors.Code`): reasons on
history and ledger rows, a carry-over's blockers and failure, an IMEI intake's problems;
shown in the reader's language by `phocap.common.messages`; registered from ready()."""

from django.utils.translation import gettext_lazy

from phocap.common import messages
from phocap.common.spreadsheets import TEXTS as SPREADSHEET_TEXTS

from .errors import Code

TEXTS = {
    "carryover_blocked": gettext_lazy("Chưa chuyển được: %(b)s"),
    # the refusals a carry-over run can meet after it was queued (stored on a failed run)
    "carryover_not_legacy": gettext_lazy("Chương trình đã theo đơn vị hành chính mới."),
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
    # an IMEI sheet at intake (intake_jobs): its rows and why a whole file failed
    Code.IMEI_ROW_FORMAT: gettext_lazy("Dòng %(no)s: “%(v)s” không phải IMEI (cần đúng 15 chữ số)."),
    Code.IMEI_ROW_LUHN: gettext_lazy("Dòng %(no)s: IMEI %(v)s sai chữ số kiểm tra (Luhn), hãy quét hoặc gõ lại."),
    Code.IMEI_ROW_REPEAT: gettext_lazy("Dòng %(no)s: IMEI %(v)s bị lặp lại (đã có ở dòng %(first)s)."),
    Code.IMEI_FILE_EMPTY: gettext_lazy("File rỗng. Hãy chọn file Excel có cột IMEI."),
    Code.IMEI_FILE_TOO_LARGE: gettext_lazy("Tệp IMEI quá lớn (tối đa %(mb)d MB)."),
    Code.NOT_A_SPREADSHEET: SPREADSHEET_TEXTS["not_a_spreadsheet"],
    Code.IMEI_FILE_MISSING: gettext_lazy("Không đọc được file đã tải lên; hãy tải lên lại."),
    Code.IMEI_NONE_FOUND: gettext_lazy(
        "Không tìm thấy IMEI nào trong trang đầu của file (cột có tiêu đề “IMEI”, hoặc cột A)."),
    Code.IMEI_READ_TOO_SLOW: gettext_lazy(
        "Đọc file quá lâu nên đã dừng; chưa ghi gì. Hãy lưu lại file chỉ với cột IMEI rồi tải lên lại."),
    Code.IMEI_WORKER_STOPPED: gettext_lazy(
        "Việc đọc file bị dừng giữa chừng %(n)d lần (máy chủ khởi động lại hoặc hết bộ nhớ). "
        "Hãy lưu lại file chỉ với cột IMEI rồi tải lên lại."),
    Code.IMEI_REGISTERED_BEFORE: gettext_lazy("%(n)s IMEI đã được đăng ký trước đó."),
    Code.REASON_CARRIED_OVER: gettext_lazy("Chuyển sang đơn vị hành chính mới (%(p)s)"),
    Code.REASON_CARRY_OVER_UNDONE: gettext_lazy("Hoàn tác việc chuyển sang đơn vị hành chính mới"),
}


def register() -> None:
    messages.register(TEXTS)
    # Rows written before reasons were stored as codes (in the actor's language then).
    messages.register_legacy(r"Chuyển sang đơn vị hành chính mới \((?P<p>.*)\)", Code.REASON_CARRIED_OVER)
    messages.register_legacy("Hoàn tác việc chuyển sang đơn vị hành chính mới", Code.REASON_CARRY_OVER_UNDONE)
