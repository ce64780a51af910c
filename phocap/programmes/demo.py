"""The demo programme: Bắc Kạn 2023 on the legacy scheme (see shared/domain/BRIEF.md).

Everything here is idempotent: running it again finds the rows and changes nothing.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from phocap.accounts.models import Role, User
from phocap.accounts.services import membership_grant, user_create
from phocap.areas.models import AdminUnit

from .models import Programme
from .services import programme_add_plan, programme_create, programme_set_target

DEMO_PASSWORD = "phocap-demo"  # noqa: S105 - published demo logins, documented in the README
PROGRAMME_NAME = "Phổ cập điện thoại thông minh tỉnh Bắc Kạn 2023"
PROVINCE_CODE = "06"
# Plan 369/KH-UBND's pilot communes, one per district/city, with each one's baseline
# (adults without a smartphone; ~4,000 in all as the province reported).
PILOT_COMMUNES = [
    ("Sông Cầu", 468), ("Quang Thuận", 512), ("Thượng Giáo", 547), ("Nghĩa Tá", 489),
    ("Như Cố", 455), ("Đức Vân", 476), ("Côn Minh", 563), ("Giáo Hiệu", 490),
]
PLANS = [
    ("369/KH-UBND", datetime.date(2023, 6, 14),
     "về thí điểm chuyển đổi số tại 08 xã, phường, thị trấn trên địa bàn tỉnh Bắc Kạn"),
    ("506/KH-UBND", datetime.date(2023, 7, 28),
     "về phổ cập điện thoại thông minh trên địa bàn tỉnh Bắc Kạn"),
]
# username → (role, unit: "province" | district name | commune name, full name)
USERS = {
    "demo_tinh": (Role.PROVINCE_STAFF, "province", "Nguyễn Thị Hà", "Sở Thông tin và Truyền thông"),
    "demo_huyen": (Role.DISTRICT_OFFICER, "Na Rì", "Hoàng Văn Nam", "UBND huyện Na Rì"),
    "demo_xa": (Role.COMMUNE_OFFICIAL, "Côn Minh", "Lương Thị Mai", "UBND xã Côn Minh"),
    "demo_kiemtra": (Role.AUDITOR, "province", "Triệu Văn Bình", "Thanh tra tỉnh"),
}


# Thái Nguyên 2026 on the 2025 units: it continues the Bắc Kạn programme in some former
# Bắc Kạn communes (2025 codes: the successors of four pilot communes), province → commune.
TN_PROGRAMME_NAME = "Phổ cập điện thoại thông minh tỉnh Thái Nguyên 2026"
TN_PROVINCE_CODE = "19"
TN_COMMUNES = [("02185", 420), ("02071", 380), ("01912", 450), ("01864", 400)]  # Côn Minh, Nghĩa Tá, Chợ Rã, Bằng Thành
TN_PLANS = [("25/KH-UBND", datetime.date(2025, 12, 15),
             "về tiếp tục phổ cập điện thoại thông minh tại các xã thuộc tỉnh Bắc Kạn cũ (dữ liệu mẫu)")]
TN_USERS = {
    "demo_tn_tinh": (Role.PROVINCE_STAFF, None, "Đặng Thị Thu", "Sở Khoa học và Công nghệ Thái Nguyên"),
    "demo_tn_xa": (Role.COMMUNE_OFFICIAL, "02185", "Hà Văn Tùng", "UBND xã Côn Minh (từ 1/7/2025)"),
}


def load_thai_nguyen_2026(*, stdout=None) -> Programme | None:
    """The 2025-scheme programme next to Bắc Kạn 2023 (idempotent). Skipped (None) when the
    2025 units are not loaded (tests that build only Bắc Kạn)."""
    province = AdminUnit.objects.filter(scheme=AdminUnit.Scheme.NEW, level=AdminUnit.Level.PROVINCE,
                                        code=TN_PROVINCE_CODE).first()
    codes = [code for code, _baseline in TN_COMMUNES]
    if province is None or AdminUnit.objects.filter(scheme=AdminUnit.Scheme.NEW, level=AdminUnit.Level.COMMUNE,
                                                    code__in=codes).count() < len(codes):
        return None
    programme = Programme.objects.filter(province=province, name=TN_PROGRAMME_NAME).first()
    if programme is None:
        programme = programme_create(
            name=TN_PROGRAMME_NAME, province=province, scheme=AdminUnit.Scheme.NEW,
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
            eligible_categories=["poor", "near_poor", "policy"], one_phone_per_adult=True,
            description="Tiếp nối chương trình Bắc Kạn 2023 tại các xã thuộc tỉnh Bắc Kạn cũ; "
                        "tỉnh bàn giao thẳng xuống xã (không còn cấp huyện).",
        )
    for number, issued_on, title in TN_PLANS:
        programme_add_plan(programme=programme, number=number, issued_on=issued_on, title=title)
    for code, baseline in TN_COMMUNES:
        commune = AdminUnit.objects.get(scheme=AdminUnit.Scheme.NEW, level=AdminUnit.Level.COMMUNE, code=code)
        programme_set_target(programme=programme, commune=commune, baseline_adults=baseline)
    for username, (role, code, full_name, _org) in TN_USERS.items():
        unit = province if code is None else AdminUnit.objects.get(
            scheme=AdminUnit.Scheme.NEW, level=AdminUnit.Level.COMMUNE, code=code)
        membership_grant(user=_user(username, full_name), unit=unit, role=role)
    if stdout:
        stdout.write(_("Chương trình: %(name)s (id %(id)d), %(n)d xã mục tiêu.") % {
            "name": programme.name, "id": programme.pk, "n": programme.targets.count()})
    return programme


def _commune(province: AdminUnit, name: str) -> AdminUnit:
    return AdminUnit.objects.subtree(province).get(level=AdminUnit.Level.COMMUNE, name=name)


def _user(username: str, full_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        last, _sep, first = full_name.rpartition(" ")
        user = user_create(username=username, password=DEMO_PASSWORD, first_name=first, last_name=last,
                           is_superuser=superuser)
    return user


@transaction.atomic
def load(*, stdout=None) -> Programme:
    province = AdminUnit.objects.get(scheme=AdminUnit.Scheme.LEGACY, level=AdminUnit.Level.PROVINCE,
                                     code=PROVINCE_CODE)
    programme = Programme.objects.filter(province=province, name=PROGRAMME_NAME).first()
    if programme is None:
        programme = programme_create(
            name=PROGRAMME_NAME, province=province, start_date=datetime.date(2023, 8, 11),
            end_date=datetime.date(2024, 12, 31), default_phone_price_vnd=2_000_000,
            description="Lễ phát động ngày 11/8/2023; bàn giao đợt 1 ngày 31/8/2023.",
        )
    for number, issued_on, title in PLANS:
        programme_add_plan(programme=programme, number=number, issued_on=issued_on, title=title)
    for name, baseline in PILOT_COMMUNES:
        programme_set_target(programme=programme, commune=_commune(province, name), baseline_adults=baseline)

    for username, (role, where, full_name, _org) in USERS.items():
        user = _user(username, full_name)
        if where == "province":
            unit = province
        elif role == Role.DISTRICT_OFFICER:
            unit = AdminUnit.objects.subtree(province).get(level=AdminUnit.Level.DISTRICT, name=where)
        else:
            unit = _commune(province, where)
        membership_grant(user=user, unit=unit, role=role)  # get-or-create: idempotent
    _user("demo_admin", "Quản trị Hệ thống", superuser=True)
    load_thai_nguyen_2026(stdout=stdout)
    if stdout:
        stdout.write(_("Chương trình: %(name)s (id %(id)d), %(n)d xã mục tiêu, %(adults)d người lớn chưa có ĐTTM.")
                     % {"name": programme.name, "id": programme.pk, "n": programme.targets.count(),
                        "adults": sum(t.baseline_adults for t in programme.targets.all())})
    return programme
