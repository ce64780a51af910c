"""The target list import's stored texts by code (`errors.Code`), worded in the reader's
language by `phocap.common.messages`; registered from the app's ready()."""

from django.utils.translation import gettext_lazy

from phocap.common import messages

from .errors import Code

TEXTS = {
    Code.TARGET_NO_HEADER: gettext_lazy("Không tìm thấy dòng tiêu đề trong 20 dòng đầu (cần cột “Mã xã” hoặc "
                                        "“Xã/phường” và cột “Số người lớn chưa có ĐTTM”). Hãy dùng file mẫu."),
    Code.TARGET_TOO_MANY_ROWS: gettext_lazy("File có hơn %(max)d dòng; danh sách xã mục tiêu không thể dài như vậy."),
    Code.TARGET_IMPORT_STOPPED: gettext_lazy("Việc đọc file bị dừng giữa chừng %(n)d lần (máy chủ khởi động lại hoặc "
                                             "hết bộ nhớ). Hãy tải lên lại."),
    Code.TARGET_HEADER_ONLY: gettext_lazy("File chỉ có dòng tiêu đề, không có xã nào."),
    Code.TARGET_CODE_NOT_IN_PROVINCE: gettext_lazy("Mã %(c)s không phải xã/phường nào của %(p)s."),
    Code.TARGET_NAME_NOT_IN_PROVINCE: gettext_lazy("“%(n)s” không phải xã/phường nào của %(p)s."),
    Code.TARGET_NAME_AMBIGUOUS: gettext_lazy("Có %(k)s xã tên “%(n)s” trong tỉnh; hãy ghi mã xã hoặc huyện."),
    Code.TARGET_COMMUNE_MISSING: gettext_lazy("Thiếu tên hoặc mã xã."),
    Code.TARGET_COUNT_INVALID: gettext_lazy("“%(v)s” không phải số nguyên không âm."),
    Code.TARGET_BASELINE_MISSING: gettext_lazy("Thiếu số người lớn chưa có ĐTTM."),
    Code.TARGET_COMMUNE_REPEATED: gettext_lazy("%(c)s đã có ở dòng %(r)s."),
}


def register() -> None:
    messages.register(TEXTS)
