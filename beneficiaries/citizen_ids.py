"""Vietnamese personal ID numbers.

CCCD (căn cước công dân, 12 digits, Circular 07/2016/TT-BCA and 59/2021/TT-BCA):
digits 1–3 the province of birth registration, digit 4 century and sex
(0 male / 1 female born 1900–1999, 2 male / 3 female born 2000–2099), digits 5–6 the
last two digits of the birth year, then 6 random digits. CMND (chứng minh nhân dân,
9 digits) is the older card, still accepted as a separate kind.
"""

from django.utils.translation import gettext as _

from phocap.common import messages
from phocap.common.errors import DomainError

from .errors import Code

# The province codes used in CCCD numbers (the 63 provinces before the 2025 merger;
# numbers already issued keep them). Codes absent here (003, 005, ...) do not exist.
CCCD_PROVINCES = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương",
    "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình",
    "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam",
    "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa",
    "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk",
    "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh",
    "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "TP. Hồ Chí Minh",
    "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

CCCD = "cccd"
CMND = "cmnd"


def clean_id(value, *, from_number: bool = False) -> str:
    """Digits of an ID as typed; a number cell lost its leading zeros, give them back."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value or value != int(value):  # NaN or a fraction: not an ID
            return str(value)
        value = int(value)
        from_number = True
    if isinstance(value, int) and not isinstance(value, bool):
        value, from_number = str(value), True
    text = "".join(str(value).split()).replace(".", "").replace("-", "").lstrip("'")
    if from_number and text.isdigit():
        if 10 <= len(text) <= 11:
            text = text.zfill(12)
        elif 7 <= len(text) <= 8:
            text = text.zfill(9)
    return text


def check_id(number: str, *, birth_year: int | None = None, sex: str = "") -> tuple[str, dict | None]:
    """(kind, problem or None) for a cleaned ID number; the problem is a message
    ({"code", "params"}, `phocap.common.messages`) so an import row can store it."""
    if not number.isdigit():
        return "", _problem(Code.ID_NOT_DIGITS)
    if len(number) == 9:
        return CMND, None
    if len(number) != 12:
        return "", _problem(Code.ID_LENGTH, n=len(number))
    province = number[:3]
    if province not in CCCD_PROVINCES:
        return CCCD, _problem(Code.ID_PROVINCE, code=province)
    gender_century = int(number[3])
    if gender_century > 3:
        return CCCD, _problem(Code.ID_CENTURY_DIGIT)
    if birth_year:
        century = 1900 if gender_century in (0, 1) else 2000
        if not (century <= birth_year < century + 100) or number[4:6] != f"{birth_year % 100:02d}":
            return CCCD, _problem(Code.ID_BIRTH_YEAR, year=birth_year)
    if sex:
        expected = "female" if gender_century % 2 else "male"
        if sex != expected:
            return CCCD, _problem(Code.ID_SEX_DIGIT, d=gender_century)
    return CCCD, None


def _problem(code: Code, /, **params) -> dict:
    return {"code": str(code), "params": params}


def require_valid_id(number: str, *, birth_year: int | None = None, sex: str = "") -> str:
    """The ID's kind (CCCD or CMND); DomainError when ``check_id`` finds a problem. Forms
    (through ``DomainError.as_validation_error``) and services refuse an ID with this one rule."""
    kind, problem = check_id(number, birth_year=birth_year, sex=sex)
    if problem:
        raise DomainError(_("Số CCCD/CMND %(cid)s %(p)s") % {"cid": number, "p": messages.render(**problem)},
                          code=Code.CITIZEN_ID_INVALID)
    return kind


def mask_id(number: str | None) -> str:
    """Only the last 4 digits for roles that do not need the full number."""
    if not number:
        return ""
    return "•" * (len(number) - 4) + number[-4:]
