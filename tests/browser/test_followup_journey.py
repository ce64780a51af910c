"""Follow-up journey: a village team member records a visit on a 360 px phone (no
horizontal scroll), and after the rebuild the commune dashboard shows the outcome rates."""

import datetime

import pytest
from django.urls import reverse

from distribution.services import devices_register, handout_create
from donations.models import Donation, Donor
from followup.models import Visit
from tests.factories import Role, make_household, make_imei, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_team_member_records_a_visit_on_a_phone_and_the_dashboard_shows_the_rate(
        _browser, live_server, login, tree, users, programme):
    donor = Donor.objects.create(kind="enterprise", name="VNPT Bắc Kạn", name_ascii="vnpt bac kan", unit=tree.bk)
    donation = Donation.objects.create(programme=programme, donor=donor, unit=tree.con_minh,
                                       received_on=datetime.date(2023, 8, 31), phones_count=2,
                                       phone_model="Galaxy A05", phone_condition="new",
                                       phone_unit_value_vnd=2_000_000)
    imeis = [make_imei(1, series=3), make_imei(2, series=3)]
    devices_register(programme=programme, unit=tree.con_minh, imeis=imeis, by=users.commune, donation=donation)
    for i, (name, cid) in enumerate((("Hoàng Văn Slam", "006088001234"), ("Lý Thị Nhung", "006188004321"))):
        household = make_household(tree.con_minh, village=tree.ban_con, rank=1, name=name)
        handout_create(programme=programme, household=household, by=users.commune, imei=imeis[i],
                       recipient_name=name, recipient_citizen_id=cid, handed_out_on=datetime.date(2023, 9, 1))
    member(tree.ban_con, Role.DIGITAL_TEAM, "to_cns_bancon")

    context = _browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True,
                                   has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, "to_cns_bancon")
        assert "2 người nhận máy chưa được thăm lại" in page.content()   # the home page's to-do
        page.click("text=2 người nhận máy chưa được thăm lại")
        page.wait_for_load_state("domcontentloaded")
        assert _no_horizontal_scroll(page)
        page.click("text=Hoàng Văn Slam")
        page.wait_for_load_state("domcontentloaded")
        assert _no_horizontal_scroll(page)
        page.fill("#id_visited_on", "01/10/2023")
        page.check("input[name=vneid_level][value='2']")
        page.check("#id_online_service_used")
        page.check("#id_cashless_account_open")
        page.check("#id_cashless_used")
        page.click("form.visit-form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "Đã ghi lần thăm Hoàng Văn Slam" in page.content()
        assert _no_horizontal_scroll(page)
        visit = Visit.objects.get()
        assert (visit.vneid_level, visit.cashless_used, visit.visited_by.username) == (2, True, "to_cns_bancon")
    finally:
        context.close()

    # The visit's event rebuilt Côn Minh's row (eager Celery): the dashboard shows the rates.
    desk = _browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    try:
        login(page, live_server, "xa_conminh")
        page.goto(live_server.url + reverse("coverage:dashboard", args=[programme.pk, "legacy", tree.con_minh.code]))
        figure = page.locator('[data-figure="recipients_visited"]').first.inner_text().strip()
        vneid = page.locator('[data-figure="vneid_activated_rate"]').first.inner_text().strip()
        assert (figure, vneid) == ("1", "100,0%")
    finally:
        desk.close()
