"""What the household import and the registry store for people to read later, by code
(`errors.Code`): a failed file, skipped sheets, row errors, history reasons. Rendered in
the reader's language by `phocap.common.messages`; registered from the app's ready()."""

from django.utils.translation import gettext_lazy

from phocap.common import messages
from phocap.common.spreadsheets import TEXTS as SPREADSHEET_TEXTS

from .errors import Code

_CATEGORIES = "Hộ nghèo, Hộ cận nghèo, Gia đình chính sách, Bảo trợ xã hội, Khác"

TEXTS = {
    Code.FILE_EMPTY: gettext_lazy("File rỗng. Hãy chọn file Excel danh sách hộ (.xlsx)."),
    Code.FILE_TOO_LARGE: gettext_lazy("File quá lớn (%(mb).0f MB); tối đa %(max)d MB. Hãy chia theo thôn."),
    Code.FILE_ENCRYPTED: SPREADSHEET_TEXTS["file_encrypted"],
    Code.NOT_A_SPREADSHEET: SPREADSHEET_TEXTS["not_a_spreadsheet"],
    Code.FILE_BROKEN: SPREADSHEET_TEXTS["file_broken"],
    Code.FILE_NO_DATA: gettext_lazy("File không có dữ liệu."),
    Code.FILE_NO_SHEET: gettext_lazy("File không có trang tính nào."),
    Code.TOO_MANY_ROWS: gettext_lazy("File có %(n)d dòng, quá giới hạn %(max)d dòng. Hãy chia thành nhiều file."),
    Code.NO_HEADER: gettext_lazy("Không tìm thấy dòng tiêu đề trong 20 dòng đầu (cần ít nhất các cột "
                                 "“Họ và tên chủ hộ”, “Thôn/bản”, “Phân loại hộ”). Hãy dùng file mẫu."),
    Code.MISSING_COLUMNS: gettext_lazy("Thiếu cột: %(cols)s."),
    Code.HEADER_ONLY: gettext_lazy("File chỉ có dòng tiêu đề, không có hộ nào."),
    Code.FILE_TOO_SLOW: SPREADSHEET_TEXTS["file_too_slow"],
    Code.FILE_TOO_BIG_UNPACKED: SPREADSHEET_TEXTS["file_too_big_unpacked"],
    Code.SHEET_TOO_LARGE: SPREADSHEET_TEXTS["sheet_too_large"],
    Code.XML_ENTITIES: SPREADSHEET_TEXTS["xml_entities"],
    Code.IMPORT_TOO_SLOW: gettext_lazy("Kiểm tra file quá lâu nên đã dừng; chưa ghi gì. Hãy chia file theo thôn "
                                       "rồi tải lên lại."),
    Code.IMPORT_DATA_CHANGED: gettext_lazy("Không nhập được: dữ liệu đã thay đổi trong lúc chờ xác nhận (%(e)s). "
                                           "Hãy tải file lên lại."),
    Code.IMPORT_STOPPED: gettext_lazy("Việc xử lý file bị dừng giữa chừng %(n)d lần (máy chủ khởi động lại "
                                      "hoặc hết bộ nhớ). Hãy chia file nhỏ hơn rồi tải lên lại."),
    Code.IMPORT_HAS_INVALID_ROWS: gettext_lazy("File còn dòng lỗi; chưa nhập gì."),
    Code.IMPORT_ROW_INVALID: gettext_lazy("Dòng %(row)d, cột %(col)s: %(msg)s Chưa nhập gì; hãy tải file lên lại."),
    Code.COLUMN_CODE_OR_ID: gettext_lazy("Mã hộ hoặc Số CCCD"),
    Code.SHEET_HIDDEN: gettext_lazy("trang ẩn"),
    Code.SHEET_EMPTY: gettext_lazy("trang trống"),
    Code.SHEET_SUMMARY: gettext_lazy("trang tổng hợp"),
    Code.SHEET_COVER: gettext_lazy("trang bìa"),
    Code.SHEET_GUIDE: gettext_lazy("trang hướng dẫn"),
    Code.SHEET_CATALOGUE: gettext_lazy("trang danh mục"),
    Code.SHEET_REPORT: gettext_lazy("trang báo cáo"),
    Code.SHEET_NO_LIST: gettext_lazy("không có bảng danh sách hộ (dòng tiêu đề có “Họ và tên chủ hộ”)"),
    Code.SHEET_HEADER_ONLY: gettext_lazy("chỉ có dòng tiêu đề"),
    Code.ROW_CELL_GARBLED: gettext_lazy("“%(v)s” không đọc được: có vẻ gõ bằng phông %(font)s nhưng không chuyển "
                                        "được sang Unicode. Hãy gõ lại ô này bằng Unicode."),
    Code.ROW_NAME_MISSING: gettext_lazy("chưa có họ tên chủ hộ."),
    Code.ROW_NAME_TOO_LONG: gettext_lazy("họ tên quá dài (tối đa 120 ký tự)."),
    Code.ROW_CODE_TOO_LONG: gettext_lazy("mã hộ quá dài (tối đa 40 ký tự)."),
    Code.ROW_BIRTH_INVALID: gettext_lazy("“%(v)s” không phải năm sinh hoặc ngày sinh hợp lệ (vd 1975 hoặc 25/03/1975)."),
    Code.ROW_SEX_INVALID: gettext_lazy("“%(v)s”: ghi “Nam” hoặc “Nữ”."),
    Code.ROW_ID_INVALID: gettext_lazy("số “%(v)s” %(problem)s"),
    Code.ROW_NEEDS_CODE_OR_ID: gettext_lazy("cần Mã hộ hoặc Số CCCD của chủ hộ để nhận ra hộ."),
    Code.ROW_VILLAGE_MISSING: gettext_lazy("chưa ghi thôn/bản."),
    Code.ROW_VILLAGE_TOO_LONG: gettext_lazy("tên thôn quá dài."),
    Code.ROW_CATEGORY_UNKNOWN: gettext_lazy("không hiểu “%(v)s”; dùng: Hộ nghèo, Hộ cận nghèo, Gia đình chính sách, "
                                            "Bảo trợ xã hội, Khác."),
    Code.ROW_CATEGORY_MISSING: gettext_lazy("chưa ghi phân loại hộ (Hộ nghèo, Hộ cận nghèo, Gia đình chính sách, ...)."),
    Code.ROW_CATEGORY_YEAR_INVALID: gettext_lazy("năm công nhận không hợp lệ."),
    Code.ROW_COUNT_INVALID: gettext_lazy("“%(v)s” không phải số người hợp lệ (0–99)."),
    Code.ROW_MEMBERS_ZERO: gettext_lazy("hộ phải có ít nhất 1 nhân khẩu."),
    Code.ROW_ADULTS_OVER_MEMBERS: gettext_lazy("số người trưởng thành (%(a)d) lớn hơn số nhân khẩu (%(m)d)."),
    Code.ROW_WITHOUT_PHONE_OVER_ADULTS: gettext_lazy(
        "số người chưa có ĐTTM (%(w)d) lớn hơn số người trưởng thành (%(a)d)."),
    Code.ROW_PHONE_INVALID: gettext_lazy("số điện thoại “%(v)s” không hợp lệ (số Việt Nam: 10 số bắt đầu bằng 0, "
                                         "hoặc +84)."),
    Code.ROW_CODE_REPEATED: gettext_lazy("mã hộ %(c)s trùng với %(where)s."),
    Code.ROW_ID_REPEATED: gettext_lazy("số %(c)s trùng với %(where)s."),
    Code.ROW_AT: gettext_lazy("dòng %(r)d"),
    Code.ROW_AT_SHEET: gettext_lazy("dòng %(r)d trang “%(s)s”"),
    Code.ROW_ID_OF_OTHER_HOUSEHOLD_CODE: gettext_lazy(
        "số %(cid)s đã là CCCD chủ hộ mã %(code)s; mã hộ %(mine)s trong file không khớp."),
    Code.ROW_ID_IN_OTHER_COMMUNE: gettext_lazy("số %(cid)s đã có trong danh sách của %(commune)s."),
    Code.ROW_ID_OF_A_MEMBER: gettext_lazy("số %(cid)s đã thuộc một người trong hộ %(head)s của xã."),
    Code.ROW_VILLAGE_LOOKS_LIKE: gettext_lazy(
        "thôn “%(v)s” chưa có trong danh sách thôn của xã. Có phải “%(s)s”? Hãy sửa tên thôn; "
        "tên thôn mới chỉ được tạo khi không giống thôn nào đã có."),
    Code.ROW_COUNTS_INCONSISTENT: gettext_lazy("số người trưởng thành lớn hơn số nhân khẩu."),
    Code.ROW_COUNTS_DISAGREE_WITH_REGISTRY: gettext_lazy(
        "số người trưởng thành / chưa có ĐTTM không khớp số nhân khẩu của hộ."),
    Code.ID_NOT_DIGITS: gettext_lazy("chỉ được gồm chữ số (CCCD 12 số hoặc CMND 9 số)."),
    Code.ID_LENGTH: gettext_lazy("có %(n)d chữ số; CCCD phải có 12 số, CMND cũ 9 số."),
    Code.ID_PROVINCE: gettext_lazy("3 số đầu (%(code)s) không phải mã tỉnh nào."),
    Code.ID_CENTURY_DIGIT: gettext_lazy("số thứ 4 phải từ 0 đến 3 (thế kỷ và giới tính)."),
    Code.ID_BIRTH_YEAR: gettext_lazy("không khớp năm sinh %(year)d (số thứ 4–6 là thế kỷ và năm sinh)."),
    Code.ID_SEX_DIGIT: gettext_lazy("số thứ 4 (%(d)d) không khớp giới tính."),
    Code.REASON_PHONE_HANDED_OUT: gettext_lazy("cấp phát điện thoại"),
    Code.REASON_PHONE_TAKEN_BACK: gettext_lazy("thu hồi điện thoại"),
    Code.REASON_IMPORTED: gettext_lazy("Nhập từ file #%(id)d (%(name)s)"),
}


def register() -> None:
    messages.register(TEXTS)
    # History rows written before reasons were stored as codes.
    messages.register_legacy("cấp phát điện thoại", Code.REASON_PHONE_HANDED_OUT)
    messages.register_legacy("thu hồi điện thoại", Code.REASON_PHONE_TAKEN_BACK)
    messages.register_legacy(r"Nhập từ file #(?P<id>\d+) \((?P<name>.*)\)", Code.REASON_IMPORTED)
