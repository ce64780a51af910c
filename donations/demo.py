"""The demo programme's money (Bắc Kạn 2023), matching the province's report.

Launch ceremony 11/8/2023: seven enterprises pledged 700,000,000 ₫ and 20 delegates
34,500,000 ₫ ("over 34 million"), paid on the spot. By 30/8/2023: 41 agencies/units
(35 in cash, 6 in phones) and 35 individuals gave 405,000,000 ₫ and 176 phones.
Then, on 05/9/2023, the province bought 50 phones with 100,000,000 ₫ of the cash, and on
20/9/2023 152 more with 304,000,000 ₫, leaving 1,000,000 ₫: first received, first spent,
every cash gift paid for phones (the last one in line, received 30/8, half of its 2,000,000 ₫).

Idempotent: every gift has its own receipt number and is created only if missing;
donors are found by tax code or name, pledges by donor and occasion.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from phocap.areas.models import AdminUnit
from phocap.common.text import fold
from phocap.programmes.models import Programme

from . import services
from .models import Donation, Donor, Pledge, Procurement

CEREMONY = datetime.date(2023, 8, 11)
OCCASION = "Lễ phát động 11/8/2023"
PLEDGE_DUE = datetime.date(2023, 12, 31)

# (name, tax code (MST), pledged, paid by 30/8, representative)
ENTERPRISE_PLEDGERS = [
    ("Ngân hàng TMCP Công Thương Việt Nam - Chi nhánh Bắc Kạn", "0100150256", 150_000_000, 100_000_000,
     "Nông Văn Thắng"),
    ("Ngân hàng Nông nghiệp và Phát triển Nông thôn - Chi nhánh Bắc Kạn", "0100686209", 150_000_000, 60_000_000,
     "Hà Thị Nguyệt"),
    ("Ngân hàng TMCP Đầu tư và Phát triển Việt Nam - Chi nhánh Bắc Kạn", "0100150432", 120_000_000, 50_000_000,
     "Lý Văn Đông"),
    ("Công ty Điện lực Bắc Kạn", "0100100110", 100_000_000, 40_000_000, "Triệu Đức Long"),
    ("Công ty Cổ phần Khoáng sản Bắc Kạn", "4700152647", 80_000_000, 20_000_000, "Ma Văn Hùng"),
    ("Công ty TNHH MTV Lâm nghiệp Bắc Kạn", "4700102879", 50_000_000, 10_000_000, "Đàm Văn Quý"),
    ("Công ty Cổ phần Xây dựng Giao thông Bắc Kạn", "4700105615", 50_000_000, 10_000_000, "Lục Văn Thành"),
]

# Six units gave phones (176 in all): (name, tax code, phones, model)
PHONE_GIVERS = [
    ("Viettel Bắc Kạn - Chi nhánh Tập đoàn Công nghiệp - Viễn thông Quân đội", "0100109106", 60, "Viettel Sumo 4G V1"),
    ("VNPT Bắc Kạn", "0100683825", 40, "Vsmart Joy 4"),
    ("MobiFone tỉnh Bắc Kạn", "0100686304", 30, "Samsung Galaxy A04"),
    ("Bưu điện tỉnh Bắc Kạn", "0101070123", 20, "Nokia C21"),
    ("Công ty Cổ phần Viễn thông FPT - Chi nhánh Bắc Kạn", "0101624036", 16, "Xiaomi Redmi A2"),
    ("Công ty Cổ phần Thế Giới Di Động - Chi nhánh Bắc Kạn", "0303588126", 10, "Samsung Galaxy A05"),
]

# 28 agencies and units giving cash (68,000,000 ₫): (name, kind, amount, receiving unit: None = province)
AGENCIES = [
    ("Sở Thông tin và Truyền thông tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Tài chính tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Kế hoạch và Đầu tư tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Lao động - Thương binh và Xã hội tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Nội vụ tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Giáo dục và Đào tạo tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Y tế tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Sở Tư pháp tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Sở Công Thương tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Nông nghiệp và Phát triển Nông thôn tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Sở Tài nguyên và Môi trường tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Giao thông Vận tải tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Sở Xây dựng tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Sở Khoa học và Công nghệ tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Văn phòng UBND tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Ban Dân tộc tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Thanh tra tỉnh Bắc Kạn", "agency", 2_000_000, None),
    ("Công an tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Bộ Chỉ huy Quân sự tỉnh Bắc Kạn", "agency", 3_000_000, None),
    ("Báo Bắc Kạn", "agency", 1_500_000, None),
    ("Đài Phát thanh và Truyền hình Bắc Kạn", "agency", 1_500_000, None),
    ("Tỉnh đoàn Bắc Kạn", "other", 2_000_000, None),
    ("Hội Liên hiệp Phụ nữ tỉnh Bắc Kạn", "other", 2_000_000, None),
    ("Hội Chữ thập đỏ tỉnh Bắc Kạn", "other", 1_000_000, None),
    # Local gifts received by a district or commune (their officers see these).
    ("Trung tâm Y tế huyện Na Rì", "agency", 3_000_000, ("district", "Na Rì")),
    ("Trường THPT Na Rì", "agency", 2_000_000, ("commune", "Côn Minh")),
    ("Phòng Giáo dục và Đào tạo huyện Ba Bể", "agency", 3_000_000, ("district", "Ba Bể")),
]

# 20 delegates pledged and paid 34,500,000 ₫ at the ceremony; 15 more individuals gave 12,500,000 ₫.
DELEGATES = [
    ("Hoàng Thị Thu Hà", 3_000_000), ("Nông Văn Chiến", 2_500_000), ("Lường Văn Bằng", 2_000_000),
    ("Ma Thị Ngân", 2_000_000), ("Triệu Văn Sơn", 2_000_000), ("Hà Văn Quyết", 2_000_000),
    ("Lý Thị Hương", 1_500_000), ("Đàm Văn Hải", 1_500_000), ("Lục Thị Phương", 1_500_000),
    ("Nguyễn Văn Hòa", 1_500_000), ("Bế Văn Toàn", 1_500_000), ("Hoàng Văn Thịnh", 1_500_000),
    ("Dương Thị Lan", 1_500_000), ("Lâm Văn Khoa", 1_500_000), ("Nông Thị Mai", 1_500_000),
    ("Trần Văn Tuấn", 1_500_000), ("La Thị Huyền", 1_500_000), ("Phùng Văn Lực", 2_000_000),
    ("Mông Thị Thảo", 1_500_000), ("Chu Văn Định", 1_000_000),
]
INDIVIDUALS = [
    ("Hoàng Văn Pắc", 1_000_000), ("Nông Thị Xuân", 500_000), ("Lương Văn Thái", 1_000_000),
    ("Ma Văn Khiêm", 500_000), ("Triệu Thị Dung", 1_000_000), ("Hà Thị Tươi", 500_000),
    ("Đinh Văn Cường", 1_000_000), ("Bàn Văn Kiên", 500_000), ("Lý Văn Páo", 500_000),
    ("Vi Thị Hạnh", 1_000_000), ("Nguyễn Thị Bích", 1_000_000), ("Đặng Văn Minh", 1_000_000),
    ("Phạm Thị Loan", 1_000_000), ("Lê Văn Quân", 1_000_000), ("Tô Thị Hằng", 1_000_000),
]

SUPPLIER = "Công ty TNHH Thương mại Dịch vụ Viễn thông Hoàng Long"
# (invoice, date, quantity, model): the two purchases with the cash, 2,000,000 ₫ a phone.
PURCHASES = [
    ("0001234", datetime.date(2023, 9, 5), 50, "Samsung Galaxy A04"),
    ("0001301", datetime.date(2023, 9, 20), 152, "Samsung Galaxy A05"),
]


def _unit(province: AdminUnit, where) -> AdminUnit:
    if where is None:
        return province
    level, name = where
    unit = AdminUnit.objects.subtree(province).filter(level=level, name=name).first()
    return unit or province  # a tree without that unit: the province received it


def _donor(*, kind: str, name: str, unit: AdminUnit, tax_code: str = "", representative: str = "",
           public_consent: bool = True) -> Donor:
    existing = (Donor.objects.filter(tax_code=tax_code).first() if tax_code
                else Donor.objects.filter(name_ascii=fold(name), kind=kind).first())
    if existing:
        return existing
    return services.donor_create(kind=kind, name=name, unit=unit, tax_code=tax_code,
                                 representative=representative, public_consent=public_consent)


def _gift(programme: Programme, receipt: str, **kwargs) -> Donation:
    existing = Donation.objects.filter(programme=programme, receipt_number=receipt).first()
    if existing:
        return existing
    return services.donation_create(programme=programme, receipt_number=receipt, **kwargs)


def _pledge(programme: Programme, donor: Donor, cash: int) -> Pledge:
    existing = Pledge.objects.filter(programme=programme, donor=donor, occasion=OCCASION).first()
    if existing:
        return existing
    return services.pledge_create(programme=programme, donor=donor, pledged_on=CEREMONY, cash_vnd=cash,
                                  due_date=PLEDGE_DUE, occasion=OCCASION)


@transaction.atomic
def load(*, programme: Programme, stdout=None) -> None:
    province = programme.province
    day = iter(datetime.date(2023, 8, d) for d in list(range(14, 31)) * 10)

    for i, (name, base, pledged, paid, rep) in enumerate(ENTERPRISE_PLEDGERS, start=1):
        donor = _donor(kind="enterprise", name=name, unit=province, tax_code=base, representative=rep)
        pledge = _pledge(programme, donor, pledged)
        if paid:
            gift = _gift(programme, f"UNC-2023-{i:03d}", donor=donor, unit=province, received_on=next(day),
                         cash_vnd=paid, cash_method="bank_transfer", pledge=pledge)
            services.donation_acknowledge(donation=gift, kind="certificate")

    for i, (name, base, phones, model) in enumerate(PHONE_GIVERS, start=1):
        donor = _donor(kind="enterprise", name=name, unit=province, tax_code=base)
        _gift(programme, f"BBGN-2023-{i:03d}", donor=donor, unit=province, received_on=datetime.date(2023, 8, 28),
              phones_count=phones, phone_model=model, phone_condition="new", phone_unit_value_vnd=2_000_000)

    for i, (name, kind, amount, where) in enumerate(AGENCIES, start=1):
        unit = _unit(province, where)
        donor = _donor(kind=kind, name=name, unit=unit)
        _gift(programme, f"PT-2023-{i:03d}", donor=donor, unit=unit, received_on=next(day), cash_vnd=amount,
              cash_method="cash" if where else "bank_transfer")

    for i, (name, amount) in enumerate(DELEGATES, start=1):
        donor = _donor(kind="individual", name=name, unit=province, public_consent=i % 3 != 0)
        pledge = _pledge(programme, donor, amount)
        _gift(programme, f"PT-LPD-{i:03d}", donor=donor, unit=province, received_on=CEREMONY, cash_vnd=amount,
              cash_method="cash", pledge=pledge)

    for i, (name, amount) in enumerate(INDIVIDUALS, start=1):
        donor = _donor(kind="individual", name=name, unit=province, public_consent=i % 2 == 0)
        _gift(programme, f"PT-CN-{i:03d}", donor=donor, unit=province, received_on=next(day), cash_vnd=amount,
              cash_method="cash")

    for invoice, purchased_on, quantity, model in PURCHASES:
        if not Procurement.objects.filter(programme=programme, invoice_number=invoice).exists():
            services.procurement_create(programme=programme, supplier=SUPPLIER, purchased_on=purchased_on,
                                        quantity=quantity, unit_price_vnd=2_000_000, invoice_number=invoice,
                                        phone_model=model)

    if stdout:
        from phocap.common.formatting import format_vnd

        from .selectors import programme_totals

        t = programme_totals(programme)
        stdout.write(_("Quỹ: đã nhận %(received)s, %(phones)d máy hiện vật, %(donors)d nhà tài trợ; cam kết "
                       "%(pledged)s; đã chi %(spent)s.") % {
            "received": format_vnd(t["cash_received_vnd"]), "phones": t["phones_in_kind"], "donors": t["donors"],
            "pledged": format_vnd(t["cash_pledged_vnd"]), "spent": format_vnd(t["cash_spent_vnd"])})
