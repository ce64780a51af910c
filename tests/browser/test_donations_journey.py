"""Issue 3, point 11: a province officer records a pledge, then a bank transfer that
fulfils half of it, and sees the pledge and the fund totals change."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from donations import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pledge_then_half_paid_by_bank_transfer(browser_page, live_server, login, users, programme, tree):
    services.donor_create(kind="enterprise", name="Ngân hàng Nông nghiệp Bắc Kạn", tax_code="0100686209",
                          unit=tree.bk, public_consent=True)
    page = login(browser_page, live_server, "tinh")
    today = timezone.localdate()
    fund_url = live_server.url + reverse("donations:fund", args=[programme.pk])

    page.goto(fund_url)
    assert page.locator("[data-key=cash_pledged_vnd]").inner_text() == "0 ₫"

    # The pledge at the launch ceremony.
    page.goto(live_server.url + reverse("donations:pledge_list", args=[programme.pk]))
    page.click("text=Ghi cam kết")
    page.select_option("#id_donor", label="Ngân hàng Nông nghiệp Bắc Kạn")
    page.fill("#id_pledged_on", (today - datetime.timedelta(days=10)).isoformat())
    page.fill("#id_occasion", "Lễ phát động 11/8/2023")
    page.fill("#id_cash_vnd", "100.000.000")
    page.fill("#id_due_date", (today + datetime.timedelta(days=90)).isoformat())
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#pledge-status").inner_text() == "Chưa thực hiện"

    # Half of it arrives by bank transfer, recorded from the pledge's page.
    page.click("text=Ghi khoản thực hiện cam kết")
    assert page.locator("#id_donor option:checked").inner_text() == "Ngân hàng Nông nghiệp Bắc Kạn"
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_cash_vnd", "50.000.000")
    page.select_option("#id_cash_method", "bank_transfer")
    page.fill("#id_receipt_number", "UNC-2023-001")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "Đã ghi nhận khoản ủng hộ" in page.content()

    page.click("text=Thực hiện cam kết >> xpath=following-sibling::dd[1]/a")
    assert page.locator("#pledge-status").inner_text() == "Đã thực hiện một phần"
    assert page.locator("#pledge-received").inner_text() == "50.000.000 ₫"

    page.goto(fund_url)
    assert page.locator("[data-key=cash_pledged_vnd]").inner_text() == "100.000.000 ₫"
    assert page.locator("[data-key=cash_received_vnd]").inner_text() == "50.000.000 ₫"
    assert page.locator("[data-key=donors]").inner_text() == "1"
