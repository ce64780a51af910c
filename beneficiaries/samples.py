"""Realistic household lists as commune officials type them (for the demo, the
benchmark and the tests): Vietnamese names, title rows, IDs typed as numbers,
categories and villages spelled many ways, a total row at the end."""

from __future__ import annotations

import datetime
import io
import random

from openpyxl import Workbook

SURNAMES = ["Nguyễn", "Hoàng", "Nông", "Lục", "Triệu", "Hà", "Lý", "Đàm", "Lương", "Ma", "Bế", "Lò",
            "Đinh", "Trần", "Lê", "Phạm", "Dương", "Vi", "Lâm", "Mã"]
MIDDLE = ["Văn", "Thị", "Đức", "Thanh", "Minh", "Ngọc", "Xuân", "Hữu", "Kim", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam",
         "Nga", "Phúc", "Quân", "Sơn", "Thảo", "Thắng", "Trang", "Tuấn", "Vân", "Yến", "Páo", "Sình"]
ETHNIC = ["Tày", "Nùng", "Dao", "Kinh", "Mông", "Sán Chay"]
VILLAGE_STEMS = ["Bản Còn", "Nà Phai", "Khuổi Luông", "Pác Ngòi", "Nà Làng", "Bản Đăm", "Phiêng Chỉ",
                 "Cốc Phường", "Nà Hin", "Bó Lù", "Khau Đấng", "Nà Diệt"]
# Spellings officials actually type, per category (weights: poor, near-poor, policy, other).
CATEGORY_SPELLINGS = {
    "poor": ["Hộ nghèo", "nghèo", "HN", "Hộ nghèo 2023", "HỘ NGHÈO"],
    "near_poor": ["Hộ cận nghèo", "cận nghèo", "HCN", "Cận nghèo 2023"],
    "policy": ["Gia đình chính sách", "GĐCS", "Người có công", "Hộ chính sách"],
    "other": ["Khác", "Hộ khác", "BTXH", "Bảo trợ xã hội"],
}
CATEGORY_WEIGHTS = [("poor", 0.28), ("near_poor", 0.22), ("policy", 0.08), ("other", 0.42)]
HEADERS = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Số CCCD", "Năm sinh", "Giới tính", "Dân tộc",
           "Thôn/bản", "Phân loại hộ", "Số nhân khẩu", "Số người trưởng thành",
           "Số người lớn chưa có ĐTTM", "Số điện thoại", "Ghi chú"]


def village_names(n: int) -> list[str]:
    names = VILLAGE_STEMS[:n]
    while len(names) < n:
        names.append(f"Thôn {len(names) + 1}")
    return names


def household_rows(n: int, *, seed: int = 1, villages: list[str] | None = None, code_prefix: str = "HN",
                   province_code: str = "006", messy: bool = True, id_offset: int = 0) -> list[list]:
    """n rows in HEADERS order. Deterministic for a seed; CCCDs valid and unique."""
    rnd = random.Random(seed)
    villages = villages or village_names(8)
    cats = [c for c, _w in CATEGORY_WEIGHTS]
    weights = [w for _c, w in CATEGORY_WEIGHTS]
    rows = []
    for i in range(n):
        female = rnd.random() < 0.3
        year = rnd.randint(1940, 2004)
        century_sex = (0 if year < 2000 else 2) + (1 if female else 0)
        cid = f"{province_code}{century_sex}{year % 100:02d}{(id_offset + i) % 1_000_000:06d}"
        name = f"{rnd.choice(SURNAMES)} {'Thị' if female else rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        members = rnd.randint(1, 8)
        adults = rnd.randint(1, min(members, 4))
        awp = rnd.randint(0, adults)
        category = rnd.choices(cats, weights)[0]
        cat_text = rnd.choice(CATEGORY_SPELLINGS[category]) if messy else CATEGORY_SPELLINGS[category][0]
        village = rnd.choice(villages)
        phone = f"09{rnd.randint(10_000_000, 99_999_999)}"
        birth: object = year
        if messy:
            r = rnd.random()
            if r < 0.3:
                cid = int(cid)  # typed as a number: Excel drops the leading zeros
            if rnd.random() < 0.2:
                village = "  " + village.upper() + " "
            if rnd.random() < 0.3:
                phone = int(phone)
            if rnd.random() < 0.2:
                birth = datetime.date(year, rnd.randint(1, 12), rnd.randint(1, 28))
        rows.append([i + 1, f"{code_prefix}{i + 1:06d}", name, cid, birth, "Nữ" if female else "Nam",
                     rnd.choice(ETHNIC), village, cat_text, members, adults, awp, phone, ""])
    return rows


def xlsx_bytes(rows, *, headers=HEADERS, title: str = "DANH SÁCH HỘ GIA ĐÌNH",
               total_row: bool = True) -> bytes:
    """A workbook as officials make it: title rows, the header, the rows, a total row."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append(["UBND XÃ"])
    ws.append([title])
    ws.append([])
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    if total_row:
        ws.append(["Tổng cộng", "", f"{len(rows)} hộ"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
