import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from donations import services
from donations.models import Donation, Donor, Pledge, Procurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_gift(programme, local_donor, give, tree):
    """Received by Na Rì district."""
    return give(local_donor, cash=3_000_000, unit=tree.na_ri, receipt="NR-01")


@pytest.fixture
def other_local_gift(programme, tree, give):
    donor = services.donor_create(kind="agency", name="Trường THCS Thượng Giáo", unit=tree.thuong_giao)
    return give(donor, cash=1_000_000, unit=tree.thuong_giao, receipt="TG-01")


@pytest.fixture
def province_gift(company, give):
    return give(company, cash=50_000_000, receipt="PT-01")


def _xlsx_rows(response):
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


# --- the fund: page and API ---------------------------------------------------------------

def test_fund_page_and_api_agree(client_for, users, programme, province_gift, local_gift):
    c = client_for(users.province)
    page = c.get(reverse("donations:fund", args=[programme.pk]))
    assert page.status_code == 200
    assert "53.000.000 ₫" in page.content.decode()
    data = c.get(f"/api/v1/programmes/{programme.pk}/totals/").json()
    for key in ("cash_pledged_vnd", "cash_received_vnd", "cash_spent_vnd", "cash_balance_vnd", "phones_pledged",
                "phones_in_kind", "phones_purchased", "donors", "donors_by_kind"):
        assert key in data
    assert data["cash_received_vnd"] == 53_000_000
    assert data["donors"] == 2


def test_totals_api_scoped_to_the_users_province(client_for, users, programme):
    assert client_for(users.tn_staff).get(f"/api/v1/programmes/{programme.pk}/totals/").status_code == 404
    assert client_for(users.auditor).get(f"/api/v1/programmes/{programme.pk}/totals/").status_code == 200


def test_totals_api_needs_login(client, programme):
    assert client.get(f"/api/v1/programmes/{programme.pk}/totals/").status_code in (401, 403)


def test_fund_page_other_province_gets_404(client_for, users, programme):
    assert client_for(users.tn_staff).get(reverse("donations:fund", args=[programme.pk])).status_code == 404


# --- receiving-unit scoping ---------------------------------------------------------------

def test_district_officer_sees_only_own_local_gifts(client_for, users, programme, local_gift, other_local_gift,
                                                    province_gift):
    c = client_for(users.district)
    page = c.get(reverse("donations:donation_list", args=[programme.pk])).content.decode()
    assert "Hội Nông dân huyện Na Rì" in page
    assert "Trường THCS Thượng Giáo" not in page and "Viettel" not in page
    assert c.get(reverse("donations:donation_detail", args=[other_local_gift.pk])).status_code == 404
    assert c.get(reverse("donations:donation_detail", args=[province_gift.pk])).status_code == 404
    assert c.get(reverse("donations:donation_edit", args=[other_local_gift.pk])).status_code == 404
    assert c.post(reverse("donations:donation_reverse", args=[other_local_gift.pk]),
                  {"reason": "x"}).status_code == 404
    assert c.post(reverse("donations:donation_acknowledge", args=[other_local_gift.pk])).status_code == 404
    assert c.get(reverse("donations:donation_ack_pdf", args=[other_local_gift.pk])).status_code == 404
    rows = _xlsx_rows(c.get(reverse("donations:donation_list", args=[programme.pk]) + "?format=xlsx"))
    assert [r[2] for r in rows[1:]] == ["Hội Nông dân huyện Na Rì"]
    assert not Donation.objects.filter(reverses=other_local_gift).exists()


def test_district_officer_records_a_local_gift_but_not_for_another_district(client_for, users, programme,
                                                                            local_donor, tree):
    c = client_for(users.district)
    url = reverse("donations:donation_create", args=[programme.pk])
    form = {"donor": local_donor.pk, "received_on": "2023-08-20", "cash_vnd": "2.000.000", "cash_method": "cash",
            "receipt_number": "NR-02"}
    r = c.post(url, {**form, "unit": tree.ba_be.pk, "submit_token": "a"})
    assert r.status_code == 200 and "unit" in r.context["form"].errors
    r = c.post(url, {**form, "unit": tree.na_ri.pk, "submit_token": "b"})
    assert r.status_code == 302
    gift = Donation.objects.get(receipt_number="NR-02")
    assert (gift.unit, gift.cash_vnd, gift.created_by) == (tree.na_ri, 2_000_000, users.district)


def test_commune_official_reads_and_writes_only_own_commune(client_for, users, programme, local_gift, tree):
    c = client_for(users.commune)
    assert c.get(reverse("donations:donation_detail", args=[local_gift.pk])).status_code == 404  # district's gift
    assert c.get(reverse("donations:pledge_create", args=[programme.pk])).status_code == 403
    assert c.get(reverse("donations:procurement_create", args=[programme.pk])).status_code == 403


def test_auditor_reads_but_cannot_write(client_for, users, programme, province_gift, company):
    c = client_for(users.auditor)
    assert c.get(reverse("donations:donation_detail", args=[province_gift.pk])).status_code == 200
    assert c.get(reverse("donations:donation_list", args=[programme.pk])).status_code == 200
    assert c.get(reverse("donations:donation_create", args=[programme.pk])).status_code == 403
    assert c.get(reverse("donations:pledge_create", args=[programme.pk])).status_code == 403
    assert c.get(reverse("donations:donor_create")).status_code == 403
    assert c.post(reverse("donations:donation_reverse", args=[province_gift.pk]), {"reason": "x"}).status_code == 403
    assert c.post(reverse("donations:procurement_create", args=[programme.pk]), {}).status_code == 403


def test_district_officer_cannot_buy_or_pledge(client_for, users, programme):
    c = client_for(users.district)
    assert c.get(reverse("donations:pledge_create", args=[programme.pk])).status_code == 403
    assert c.get(reverse("donations:procurement_create", args=[programme.pk])).status_code == 403


def test_other_province_gets_404_everywhere(client_for, users, programme, province_gift, company):
    c = client_for(users.tn_staff)
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=1_000_000)
    for url in [reverse("donations:pledge_list", args=[programme.pk]),
                reverse("donations:donation_list", args=[programme.pk]),
                reverse("donations:procurement_list", args=[programme.pk]),
                reverse("donations:pledge_overdue", args=[programme.pk]),
                reverse("donations:donation_detail", args=[province_gift.pk]),
                reverse("donations:pledge_detail", args=[pledge.pk]),
                reverse("donations:donor_detail", args=[company.pk])]:
        assert c.get(url).status_code == 404, url
    rows = _xlsx_rows(c.get(reverse("donations:donor_list") + "?format=xlsx"))
    assert rows[1:] == []


def test_anonymous_is_sent_to_login(client, programme):
    r = client.get(reverse("donations:donation_list", args=[programme.pk]))
    assert r.status_code == 302 and "dang-nhap" in r.url


# --- forms --------------------------------------------------------------------------------

def test_double_submit_creates_one_pledge(client_for, users, programme, company):
    c = client_for(users.province)
    url = reverse("donations:pledge_create", args=[programme.pk])
    form = {"donor": company.pk, "pledged_on": "11/08/2023", "cash_vnd": "100.000.000", "occasion": "Lễ phát động",
            "submit_token": "tok-1"}
    assert c.post(url, form).status_code == 302
    assert c.post(url, form).status_code == 302
    assert Pledge.objects.count() == 1
    assert Pledge.objects.get().cash_vnd == 100_000_000


def test_bad_donation_input_writes_nothing(client_for, users, programme, company, tree):
    c = client_for(users.province)
    url = reverse("donations:donation_create", args=[programme.pk])
    r = c.post(url, {"donor": company.pk, "unit": tree.bk.pk, "received_on": "2023-08-20", "cash_vnd": "5000000"})
    assert r.status_code == 200
    assert "Hãy chọn tiền mặt hoặc chuyển khoản." in r.content.decode()
    r = c.post(url, {"donor": company.pk, "unit": tree.bk.pk, "received_on": "2099-01-01", "cash_vnd": "5000000",
                     "cash_method": "cash"})
    assert "Ngày tiếp nhận không được sau hôm nay." in r.content.decode()
    assert not Donation.objects.exists()


def test_donor_duplicate_is_pointed_out_before_saving(client_for, users, person, tree):
    c = client_for(users.province)
    url = reverse("donations:donor_create")
    form = {"kind": "individual", "name": "NGUYEN VAN AN", "unit": tree.bk.pk}
    r = c.post(url, {**form, "submit_token": "d1"})
    assert r.status_code == 200 and "Có thể trùng với" in r.content.decode()
    assert Donor.objects.count() == 1
    r = c.post(url, {**form, "confirm_duplicate": "on", "submit_token": "d2"})
    assert r.status_code == 302 and Donor.objects.count() == 2


def test_donor_search_without_diacritics(client_for, users, person, company):
    page = client_for(users.province).get(reverse("donations:donor_list") + "?q=nguyen van").content.decode()
    assert "Nguyễn Văn An" in page and "Viettel" not in page


def test_overspend_refused_on_the_page(client_for, users, programme, province_gift, tree):
    c = client_for(users.province)
    r = c.post(reverse("donations:procurement_create", args=[programme.pk]), {
        "supplier": "FPT Shop", "purchased_on": "2023-09-05", "unit_price_vnd": "2.000.000", "quantity": "26",
        "unit": tree.bk.pk, "submit_token": "p1"})
    assert r.status_code == 200
    assert "Không đủ tiền" in r.content.decode()
    assert not Procurement.objects.exists()


# --- acknowledgements ---------------------------------------------------------------------

def test_thank_you_letter_pdf_records_acknowledgement(client_for, users, province_gift):
    from pypdf import PdfReader

    c = client_for(users.province)
    assert "chua_cam_on" not in reverse("donations:donation_ack_pdf", args=[province_gift.pk])
    r = c.post(reverse("donations:donation_acknowledge", args=[province_gift.pk]), {"kind": "letter"})
    assert r.status_code == 302
    province_gift.refresh_from_db()
    assert province_gift.acknowledged_at is not None
    pdf = c.get(r.url)
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "THƯ CẢM ƠN" in text and "Viettel Bắc Kạn" in text and "50.000.000" in text


def test_unacknowledged_list(client_for, users, programme, province_gift, person, give):
    other = give(person, cash=1_000_000)
    services.donation_acknowledge(donation=province_gift)
    page = client_for(users.province).get(
        reverse("donations:donation_list", args=[programme.pk]) + "?chua_cam_on=1").content.decode()
    assert other.donor.name in page and "Viettel" not in page


# --- exports ------------------------------------------------------------------------------

def test_exports_are_safe_against_formula_injection(client_for, users, programme, tree, give):
    evil = services.donor_create(kind="individual", name='=HYPERLINK("http://x","y")', unit=tree.bk)
    give(evil, cash=1_000_000)
    services.pledge_create(programme=programme, donor=evil, pledged_on=datetime.date(2023, 8, 11), cash_vnd=5)
    c = client_for(users.province)
    for url, col in [(reverse("donations:donor_list"), 2), (reverse("donations:donation_list", args=[programme.pk]), 2),
                     (reverse("donations:pledge_list", args=[programme.pk]), 1)]:
        rows = _xlsx_rows(c.get(url + "?format=xlsx"))
        assert rows[1][col] == "'=HYPERLINK(\"http://x\",\"y\")", url


def test_pledge_export_has_computed_status(client_for, users, programme, company, give):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000)
    give(company, cash=5_000_000, pledge=pledge)
    rows = _xlsx_rows(client_for(users.province).get(
        reverse("donations:pledge_list", args=[programme.pk]) + "?format=xlsx"))
    assert rows[1][5:7] == [10_000_000, 5_000_000]
    assert rows[1][10] == "Đã thực hiện một phần"


# --- public honour roll -------------------------------------------------------------------

def test_honour_roll_public_shows_only_consenting_names(client, programme, company, person, give):
    give(company, cash=20_000_000, phones=10)
    give(person, cash=500_000)  # no consent
    page = client.get(reverse("donations:honour_roll", args=[programme.pk])).content.decode()
    assert "Viettel Bắc Kạn" in page and "20.000.000 ₫" in page
    assert "Nguyễn Văn An" not in page
    for secret in ("0100109106", "+842093870123", "0912345678"):
        assert secret not in page
    assert "20.500.000 ₫" in page  # totals include anonymous gifts


# --- query counts -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["donation_list", "pledge_list", "procurement_list", "fund"])
def test_list_pages_query_count_is_flat(client_for, users, programme, company, give, tree,
                                        django_assert_max_num_queries, name):
    for i in range(30):
        donor = services.donor_create(kind="individual", name=f"Người {i}", unit=tree.bk)
        pledge = services.pledge_create(programme=programme, donor=donor, pledged_on=datetime.date(2023, 8, 11),
                                        cash_vnd=1_000_000)
        give(donor, cash=1_000_000, pledge=pledge)
    services.procurement_create(programme=programme, supplier="A", quantity=2, purchased_on=datetime.date(2023, 9, 1))
    c = client_for(users.province)
    url = reverse(f"donations:{name}", args=[programme.pk])
    with django_assert_max_num_queries(14):
        assert c.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("donations:donor_list")).status_code == 200


def test_certificate_pdf(client_for, users, company, give):
    from pypdf import PdfReader

    gift = give(company, phones=12)
    c = client_for(users.province)
    r = c.post(reverse("donations:donation_acknowledge", args=[gift.pk]), {"kind": "certificate"})
    text = " ".join(PdfReader(io.BytesIO(c.get(r.url).content)).pages[0].extract_text().split())
    assert "GIẤY CHỨNG NHẬN" in text and "12 điện thoại thông minh" in text


def test_pdf_before_acknowledgement_is_404(client_for, users, company, give):
    gift = give(company, cash=1_000_000)
    assert client_for(users.province).get(reverse("donations:donation_ack_pdf", args=[gift.pk])).status_code == 404


def test_district_officer_does_not_see_province_pledges_in_the_form(client_for, users, programme, company):
    services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                           cash_vnd=1_000_000, occasion="Lễ phát động bí mật")
    page = client_for(users.district).get(reverse("donations:donation_create", args=[programme.pk]))
    assert page.status_code == 200 and "Lễ phát động bí mật" not in page.content.decode()
    page = client_for(users.province).get(reverse("donations:donation_create", args=[programme.pk]))
    assert "Viettel" in page.content.decode()


def test_pledge_due_date_moved_by_province_staff_only(client_for, users, programme, company):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000, due_date=datetime.date(2023, 9, 30))
    url = reverse("donations:pledge_edit", args=[pledge.pk])
    form = {"pledged_on": "11/08/2023", "cash_vnd": "10.000.000", "due_date": "31/12/2023",
            "occasion": "Lễ phát động"}
    assert client_for(users.auditor).post(url, form).status_code == 403
    r = client_for(users.province).post(url, {**form, "due_date": "01/08/2023"})
    assert "Hạn thực hiện phải sau ngày cam kết." in r.content.decode()
    r = client_for(users.province).post(url, {**form, "donor": 999})  # the donor cannot be changed
    assert r.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.due_date, pledge.donor, pledge.occasion) == (datetime.date(2023, 12, 31), company, "Lễ phát động")


def test_edit_form_shows_amounts_with_dots(client_for, users, company, give):
    gift = give(company, cash=50_000_000)
    page = client_for(users.province).get(reverse("donations:donation_edit", args=[gift.pk])).content.decode()
    assert 'value="50.000.000"' in page


def test_detail_pages_query_count_is_flat(client_for, users, programme, company, give,
                                          django_assert_max_num_queries):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=100_000_000)
    gifts = [give(company, cash=1_000_000, pledge=pledge) for _ in range(20)]
    c = client_for(users.province)
    for url in [reverse("donations:pledge_detail", args=[pledge.pk]),
                reverse("donations:donor_detail", args=[company.pk]),
                reverse("donations:donation_detail", args=[gifts[0].pk]),
                reverse("donations:honour_roll", args=[programme.pk])]:
        with django_assert_max_num_queries(14):
            assert c.get(url).status_code == 200, url


def test_gift_form_prefilled_from_a_pledge_and_bad_pledge_id_ignored(client_for, users, programme, company):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=1_000_000)
    c = client_for(users.province)
    url = reverse("donations:donation_create", args=[programme.pk])
    page = c.get(f"{url}?pledge={pledge.pk}").content.decode()
    assert f'<option value="{pledge.pk}" selected>' in page.split('name="pledge"')[1].split("</select>")[0]
    assert f'<option value="{company.pk}" selected>' in page.split('name="donor"')[1].split("</select>")[0]
    for bad in ("abc", "999999"):
        page = c.get(f"{url}?pledge={bad}")
        pledge_select = page.content.decode().split('name="pledge"')[1].split("</select>")[0]
        assert page.status_code == 200 and f'<option value="{pledge.pk}" selected>' not in pledge_select


def test_refused_save_lets_the_corrected_form_through_with_the_same_token(client_for, users, programme,
                                                                          province_gift, tree):
    c = client_for(users.province)
    url = reverse("donations:procurement_create", args=[programme.pk])
    form = {"supplier": "FPT Shop", "purchased_on": "2023-09-05", "unit_price_vnd": "2.000.000", "quantity": "26",
            "unit": tree.bk.pk, "submit_token": "p-retry"}
    assert "Không đủ tiền" in c.post(url, form).content.decode()
    assert c.post(url, {**form, "quantity": "25"}).status_code == 302
    r = c.post(url, {**form, "quantity": "25"}, follow=True)  # sent again: nothing more is bought
    assert "Biểu mẫu này đã được gửi." in r.content.decode()
    assert Procurement.objects.get().quantity == 25


def test_reverse_and_cancel_without_reason_change_nothing(client_for, users, programme, company, province_gift):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=1_000_000)
    c = client_for(users.province)
    r = c.post(reverse("donations:donation_reverse", args=[province_gift.pk]), {"reason": ""}, follow=True)
    assert "Hãy nêu lý do đảo khoản ủng hộ." in r.content.decode()
    r = c.post(reverse("donations:pledge_cancel", args=[pledge.pk]), {"reason": "  "}, follow=True)
    assert "Hãy nêu lý do hủy cam kết." in r.content.decode()
    province_gift.refresh_from_db()
    pledge.refresh_from_db()
    assert province_gift.reversed_at is None and pledge.cancelled_at is None
    r = c.post(reverse("donations:donation_reverse", args=[province_gift.pk]), {"reason": "ghi nhầm"})
    reversal = Donation.objects.get(reverses=province_gift)
    assert r.url == reversal.get_absolute_url()
    page = c.get(province_gift.get_absolute_url()).content.decode()
    assert "Khoản này đã được đảo" in page and reversal.get_absolute_url() in page


def test_export_links_keep_the_filters(client_for, users, programme, company):
    c = client_for(users.province)
    for url, query in [(reverse("donations:donor_list"), "q=vi%E1%BB%87t&kind=enterprise"),
                       (reverse("donations:pledge_list", args=[programme.pk]), "q=l%E1%BB%85&status=overdue"),
                       (reverse("donations:donation_list", args=[programme.pk]), "q=a&gift=cash&chua_cam_on=1")]:
        page = c.get(f"{url}?{query}&page=2").content.decode()
        assert f'href="?{query.replace("&", "&amp;")}&amp;format=xlsx"' in page, url
