import pytest
import tablib
from django.urls import reverse

from donations.models import Donation, Donor
from donations.resources import DonationResource, DonorResource, PledgeResource

pytestmark = pytest.mark.django_db

DONOR_HEADERS = ["loai", "ten", "ma_so_thue", "nguoi_dai_dien", "dien_thoai", "dia_chi", "ma_don_vi", "cong_khai"]


def _donors(*rows):
    return tablib.Dataset(*rows, headers=DONOR_HEADERS)


def test_donor_import_dry_run_writes_nothing_then_imports(tree):
    data = _donors(["Doanh nghiệp", "Công ty CP Thương mại Bắc Kạn", "0101243150", "Hoàng Văn Tú", "0912 345 678",
                    "", "06", "x"],
                   ["cá nhân", "Lường Thị Hoa", "", "", "", "", "06", ""])
    result = DonorResource().import_data(data, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert not Donor.objects.exists()
    DonorResource().import_data(data, dry_run=False)
    company = Donor.objects.get(tax_code="0101243150")
    assert (company.kind, company.phone, company.public_consent) == ("enterprise", "+84912345678", True)
    assert Donor.objects.get(name="Lường Thị Hoa").kind == "individual"


def test_donor_import_rows_say_why_they_fail(tree):
    data = _donors(["doanh nghiep", "Công ty A", "4700123456", "", "", "", "06", ""],
                   ["hội", "Hội B", "", "", "", "", "06", ""],
                   ["cơ quan, đơn vị", "Sở C", "", "", "", "", "99", ""])
    result = DonorResource().import_data(data, dry_run=True)
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert "Mã số thuế" in errors[1]["ten"][0]
    assert "không hợp lệ" in errors[2]["loai"][0]
    assert "Không tìm thấy đơn vị" in errors[3]["ma_don_vi"][0]
    assert not Donor.objects.exists()


def test_donor_import_same_tax_code_updates_the_donor(company):
    data = _donors(["doanh nghiệp", "Viettel Bắc Kạn (đổi tên)", "0100109106", "Ông X", "", "", "06", "1"])
    DonorResource().import_data(data, dry_run=False)
    assert Donor.objects.count() == 1
    company.refresh_from_db()
    assert company.name == "Viettel Bắc Kạn (đổi tên)"


def test_donation_import(programme, company, person):
    headers = ["ma_chuong_trinh", "nha_tai_tro", "ma_so_thue", "ma_don_vi_tiep_nhan", "ngay_tiep_nhan", "so_tien",
               "hinh_thuc", "so_phieu_thu", "so_may", "loai_may", "tinh_trang_may", "gia_tri_moi_may"]
    data = tablib.Dataset(
        [programme.pk, "", "0100109106", "06", "20/08/2023", "", "", "", 30, "Samsung A05", "Mới", ""],
        [programme.pk, "nguyen van an", "", "066", "21/08/2023", "2.000.000", "Chuyển khoản", "CK-9", "", "", "", ""],
        [programme.pk, "Không Có Ai", "", "06", "32/08/2023", "abc", "", "", "", "", "", ""],
        headers=headers)
    result = DonationResource().import_data(data, dry_run=True)
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {3}
    assert {"nha_tai_tro", "ngay_tiep_nhan", "so_tien"} <= set(invalid[3])
    assert not Donation.objects.exists()
    good = tablib.Dataset(*data[:2], headers=headers)
    DonationResource().import_data(good, dry_run=False)
    phones = Donation.objects.get(donor=company)
    assert (phones.phones_count, phones.phone_condition, phones.phone_unit_value_vnd) == (30, "new", 2_000_000)
    cash = Donation.objects.get(donor=person)
    assert (cash.cash_vnd, cash.cash_method, cash.unit.name) == (2_000_000, "bank_transfer", "Na Rì")
    again = DonationResource().import_data(good, dry_run=True)
    assert again.has_validation_errors() or again.has_errors()  # receipt CK-9 already recorded


def test_exports_escape_formulas(programme, tree, give):
    from donations import services

    evil = services.donor_create(kind="individual", name="=1+1", unit=tree.bk)
    give(evil, cash=1_000)
    import datetime
    services.pledge_create(programme=programme, donor=evil, pledged_on=datetime.date(2023, 8, 11), cash_vnd=5)
    assert DonorResource().export().dict[0]["ten"] == "'=1+1"
    assert DonationResource().export().dict[0]["nha_tai_tro"] == "'=1+1"
    row = PledgeResource().export().dict[0]
    assert (row["nha_tai_tro"], row["trang_thai"]) == ("'=1+1", "Chưa thực hiện")


def test_admin_export_and_import_pages(client, tree, company, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "r@example.com", "pw")
    client.force_login(admin_user)
    r = client.post(reverse("admin:donations_donor_export"), {"format": "0", "resource": "0",
                                                              **{f"donorresource_{f}": "on" for f in
                                                                 ["id", "name", "tax_code"]}})
    assert r.status_code == 200
    assert r["Content-Type"].startswith(("text/csv", "application/"))
    assert client.get(reverse("admin:donations_donor_import")).status_code == 200
    assert client.get(reverse("admin:donations_donation_import")).status_code == 200
    assert client.get(reverse("admin:donations_pledge_export")).status_code == 200


def _upload(client, rows):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from import_export.formats.base_formats import XLSX
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(DONOR_HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    choices = client.get(reverse("admin:donations_donor_import")).context["form"].fields["format"].choices
    xlsx = next(value for value, title in choices if title == XLSX().get_title())
    return client.post(reverse("admin:donations_donor_import"), {
        "resource": "0", "format": xlsx, "import_file": SimpleUploadedFile("le-phat-dong.xlsx", buf.getvalue())})


@pytest.fixture
def admin_client_(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    return client


def test_admin_import_ceremony_list_preview_then_confirm(admin_client_, tree):
    """The admin flow: upload an .xlsx, see the dry-run preview (nothing written), confirm."""
    r = _upload(admin_client_, [
        ["Cá nhân", "Hoàng Thị Thu Hà", None, None, "0988 111 222", None, "06", "x"],
        ["Doanh nghiệp", "Công ty CP Khoáng sản Bắc Kạn", "0101243150", None, None, None, "06", "x"]])
    assert r.status_code == 200
    assert "Hoàng Thị Thu Hà" in r.content.decode()
    assert not Donor.objects.exists()  # the preview writes nothing
    confirm = r.context["confirm_form"]
    r = admin_client_.post(reverse("admin:donations_donor_process_import"), {**confirm.initial, "resource": "0"})
    assert r.status_code == 302
    assert Donor.objects.get(name="Hoàng Thị Thu Hà").phone == "+84988111222"
    assert Donor.objects.count() == 2


def test_admin_import_preview_says_which_row_fails_and_why(admin_client_, tree):
    r = _upload(admin_client_, [["Cá nhân", "Hoàng Thị Thu Hà", None, None, "12345", None, "06", ""],
                                ["Cá nhân", "Ma Văn Hùng", None, None, None, None, "99", ""]])
    page = r.content.decode()
    assert "Số điện thoại “12345” không hợp lệ." in page
    assert "Không tìm thấy đơn vị mã “99”." in page
    assert r.context.get("confirm_form") is None and not Donor.objects.exists()


def test_admin_history_page(admin_client_, company):
    url = reverse("admin:donations_donor_history", args=[company.pk])
    assert admin_client_.get(url).status_code == 200


def test_import_is_scoped_to_the_importing_user(users, tree):
    data = _donors(["cơ quan", "Hội Nông dân huyện Ba Bể", "", "", "", "", "061", ""],
                   ["cơ quan", "Hội Nông dân huyện Na Rì", "", "", "", "", "066", ""])
    result = DonorResource().import_data(data, dry_run=False, user=users.district)
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert "không có quyền" in invalid[1]["ma_don_vi"][0]
    assert 2 not in invalid
