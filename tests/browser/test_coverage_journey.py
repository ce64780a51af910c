"""Coverage journey: after a hand-out in Côn Minh, the commune's and the province's
dashboards show it (rebuilt on commit by the domain event, Celery eager)."""

import datetime

import pytest

from distribution.services import devices_register, handout_create
from donations.models import Donation, Donor
from tests.factories import make_household, make_imei

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _figure(page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').first.inner_text().strip()


def test_handout_in_con_minh_shows_on_commune_and_province_dashboards(browser_page, live_server, login,
                                                                        tree, users, programme):
    donor = Donor.objects.create(kind="enterprise", name="VNPT Bắc Kạn", name_ascii="vnpt bac kan", unit=tree.bk)
    donation = Donation.objects.create(programme=programme, donor=donor, unit=tree.con_minh,
                                       received_on=datetime.date(2023, 8, 31), phones_count=2,
                                       phone_model="Galaxy A05", phone_condition="new",
                                       phone_unit_value_vnd=2_000_000)
    imei = make_imei(1, series=1)
    devices_register(programme=programme, unit=tree.con_minh, imeis=[imei, make_imei(2, series=1)], by=users.commune,
                     donation=donation)
    household = make_household(tree.con_minh, village=tree.ban_con, rank=1, adults=2, without=2,
                               name="Hoàng Văn Slam")

    page = login(browser_page, live_server, "xa_conminh")
    page.goto(live_server.url + "/pho-cap/")
    assert "Côn Minh" in page.locator("h1").inner_text()
    assert _figure(page, "phones_handed_out") == "0"
    assert "Số liệu tính lúc" in page.locator("#as-of").inner_text()

    handout_create(programme=programme, household=household, by=users.commune, imei=imei,
                   recipient_name="Hoàng Văn Slam", recipient_citizen_id="006088001234",
                   handed_out_on=datetime.date(2023, 9, 1))

    page.reload()
    assert _figure(page, "phones_handed_out") == "1"
    assert _figure(page, "households_reached") == "1"
    assert page.evaluate("typeof Chart") == "function"  # the vendored chart library loaded

    page.context.clear_cookies()
    page = login(page, live_server, "tinh")
    page.goto(live_server.url + "/pho-cap/")
    assert "Bắc Kạn" in page.locator("h1").inner_text()
    assert _figure(page, "phones_handed_out") == "1"
    page.get_by_role("link", name="Na Rì").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("link", name="Côn Minh").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert "Côn Minh" in page.locator("h1").inner_text()
    assert _figure(page, "phones_handed_out") == "1"


def test_a_wide_table_scrolls_in_its_card_with_the_unit_column_fixed(browser_page, live_server, login, tree, users,
                                                                       programme):
    """At 1366 px and at 360 px (where rows become cards) the page never scrolls sideways; in
    between, the 12-column table scrolls inside its card and the unit names stay in view."""
    from programme_coverage.services import coverage_rebuild_programme

    coverage_rebuild_programme(programme=programme)
    page = login(browser_page, live_server, "tinh")
    url = live_server.url + f"/pho-cap/{programme.pk}/legacy/{tree.bk.code}/"
    for width in (1366, 360, 700):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # at 700 px the table scrolls inside its card
    first = page.locator(".table-wrap td:first-child").first
    before = first.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = 400; }")
    assert abs(first.bounding_box()["x"] - before) < 1  # the unit column stayed put
