"""Issue 16: a donor holding only the thank-you letter opens its code's URL on a phone,
without an account, and sees the gift's path: amount, phones bought, the communes. The
page fits 360 px; the PDF report downloads."""

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from donations import services as money
from donations.models import Donor
from tests.factories import make_imei, phones_to_commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phones_to_con_minh(programme, tree, users):
    donor = money.donor_create(kind=Donor.Kind.AGENCY, name="Sở Công Thương tỉnh Bắc Kạn", unit=tree.bk)
    gift = money.donation_create(programme=programme, donor=donor, unit=tree.bk, cash_vnd=4_000_000,
                                 cash_method="bank_transfer", received_on=datetime.date(2023, 8, 20))
    purchase = money.procurement_create(programme=programme, supplier="FPT", quantity=2,
                                        purchased_on=datetime.date(2023, 9, 5))
    phones_to_commune(programme, imeis=[make_imei(900 + i) for i in range(2)], procurement=purchase,
                      path=[tree.bk, tree.na_ri, tree.con_minh],
                      users_by_unit={tree.bk.pk: users.province, tree.na_ri.pk: users.district,
                                     tree.con_minh.pk: users.commune})
    return gift


def test_the_letters_code_opens_the_gifts_path_without_an_account(phone_page, live_server, users, programme, tree):
    gift = _phones_to_con_minh(programme, tree, users)
    # The province prints the thank-you letter; the donor reads the URL under its QR code.
    staff = Client()
    staff.force_login(users.province)
    letter = staff.get(staff.post(reverse("donations:donation_acknowledge", args=[gift.pk]), {"kind": "letter"}).url)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages).replace("\n", "")
    path = re.search(r"https?://[^/\s]+(/phan-phoi/tra-cuu/[A-Z0-9]+/)", text).group(1)

    page = phone_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + path)
    assert "4.000.000" in page.locator("#gift").inner_text()
    assert page.locator("[data-key=phones_bought]").inner_text().startswith("2 máy trọn")
    assert [t.strip() for t in page.locator("tr.place td:first-child").all_inner_texts()] == [tree.con_minh.full_name]
    assert "Sở Công Thương" not in page.content()  # the page names no donor
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_download() as download:
        page.click("text=Tải báo cáo PDF")
    report = PdfReader(download.value.path()).pages[0].extract_text()
    assert "BÁO CÁO SỬ DỤNG KHOẢN ỦNG HỘ" in report and "Côn Minh" in report

    # Typed by hand, loosely, the code leads to the same page.
    page.goto(live_server.url + reverse("distribution:gift_lookup_form"))
    page.fill("#ma", gift.public_code_display.lower())
    page.click("form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(path)
