"""Issue 11, points 4 and 7: every page a commune official or a district officer reaches
fits a 360 × 640 phone screen without horizontal scrolling, the "Cấp máy" button of the
hand-out list is on screen, and the hand-out form picks the phone from the commune's stock."""

import datetime

import pytest
from django.urls import reverse

from distribution import services
from distribution.models import Handout
from tests.beneficiaries import corpus
from tests.browser.conftest import PHONE_360
from tests.distribution.conftest import (  # noqa: F401 - fixtures
    batch_to_na_ri,
    commune_stock,
    donation,
    households,
    stock,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def world(tree, users, programme, commune_stock, households, settings, tmp_path):  # noqa: F811
    from beneficiaries import services as hh_services
    from programme_coverage.services import coverage_rebuild_programme

    settings.MEDIA_ROOT = tmp_path / "media"
    handout = services.handout_create(
        programme=programme, household=households.poor, by=users.commune, imei=commune_stock[0].imei,
        handed_out_on=datetime.date.today(), person=households.poor.people.order_by("pk").first())
    # One more batch on its way to each of Côn Minh and Na Rì, to confirm.
    to_commune = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                         by=users.district, count=1)
    to_district = services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                          by=users.province, count=2)
    job = hh_services.import_job_create(commune=tree.con_minh, data=corpus.two_bad_rows(), filename="ds.xlsx",
                                        by=users.commune)
    coverage_rebuild_programme(programme=programme)
    # IMEI sheets of a purchase at Na Rì, read by the worker: one with row errors, repeats and
    # an IMEI already registered, one that is no spreadsheet at all.
    from distribution import intake_jobs
    from tests import hostile_files
    from tests.factories import make_imei, make_procurement
    from tests.scoping_fixtures import imei_sheet

    purchase = make_procurement(programme, tree.na_ri, supplier="Cửa hàng Na Rì", unit_price_vnd=1_500_000,
                                quantity=40)
    sheet = [make_imei(300 + i) for i in range(25)] + ["12345", make_imei(300), commune_stock[1].imei]
    intake = {}
    for name, data in (("checked", imei_sheet(sheet)), ("failed", hostile_files.PNG)):
        made = intake_jobs.intake_job_create(programme=programme, procurement=purchase, by=users.district,
                                             data=data, filename=f"danh-sach-imei-{name}.xlsx", queue=False)
        intake[name] = intake_jobs.intake_job_validate(job_id=made.pk)
    return {"handout": handout, "to_commune": to_commune, "to_district": to_district, "job": job, "intake": intake,
            "households": households, "stock": commune_stock, "programme": programme, "tree": tree}


def shared_pages(w, unit):
    """Pages both roles reach from the menu and the home page."""
    p = w["programme"]
    return [
        reverse("programmes:detail", args=[p.pk]),
        reverse("areas:unit_detail", args=[unit.scheme, unit.level, unit.code]),
        reverse("coverage:dashboard", args=[p.pk, unit.scheme, unit.code]),
        reverse("donations:fund", args=[p.pk]),
        reverse("accounts:password_change"),
    ]


def commune_pages(w):
    hh = w["households"].poor
    return [
        reverse("home"),
        reverse("beneficiaries:household_list"),
        reverse("beneficiaries:household_detail", args=[hh.pk]),
        reverse("beneficiaries:household_edit", args=[hh.pk]),
        reverse("beneficiaries:priority_list"),
        reverse("beneficiaries:priority_list") + "?chua-tham=1",
        reverse("beneficiaries:import_upload"),
        reverse("beneficiaries:import_review", args=[w["job"].pk]),
        reverse("distribution:index"),
        reverse("distribution:device_list"),
        reverse("distribution:device_detail", args=[w["stock"][1].imei]),
        reverse("distribution:batch_list"),
        reverse("distribution:batch_detail", args=[w["to_commune"].pk]),
        reverse("distribution:batch_receive", args=[w["to_commune"].pk]),
        reverse("distribution:handout_pick"),
        reverse("distribution:handout_create", args=[w["households"].near_poor.pk]),
        reverse("distribution:handout_list"),
        reverse("distribution:handout_detail", args=[w["handout"].pk]),
        reverse("distribution:handout_session"),
        reverse("coverage:index"),
        reverse("donations:index"),
        reverse("donations:donor_list"),
        *shared_pages(w, w["tree"].con_minh),
    ]


def district_pages(w):
    return [
        reverse("home"),
        reverse("distribution:index"),
        reverse("distribution:device_list"),
        reverse("distribution:device_intake"),
        reverse("distribution:intake_job", args=[w["intake"]["checked"].pk]),
        reverse("distribution:intake_job", args=[w["intake"]["failed"].pk]),
        reverse("distribution:batch_list"),
        reverse("distribution:batch_list") + "?huong=di",
        reverse("distribution:batch_create"),
        reverse("distribution:batch_detail", args=[w["to_district"].pk]),
        reverse("distribution:batch_receive", args=[w["to_district"].pk]),
        reverse("distribution:handout_list"),
        reverse("distribution:handout_detail", args=[w["handout"].pk]),
        reverse("beneficiaries:household_list"),
        reverse("beneficiaries:household_detail", args=[w["households"].poor.pk]),
        reverse("beneficiaries:priority_list"),
        reverse("coverage:index"),
        reverse("donations:index"),
        reverse("donations:donor_list"),
        *shared_pages(w, w["tree"].na_ri),
    ]


def wide_pages(page, base, paths):
    wide = []
    for path in paths:
        response = page.goto(base + path)
        assert response.ok, (path, response.status)
        scroll_width, inner_width = page.evaluate(OVERFLOW_JS)
        if scroll_width > inner_width:
            wide.append((path, scroll_width))
    return wide


def test_commune_official_pages_fit_360px(small_phone, live_server, login, world):
    page = login(small_phone, live_server, "xa_conminh")
    assert wide_pages(page, live_server.url, commune_pages(world)) == []

    # The "Cấp máy" button of the hand-out list is on screen, not scrolled off to the right.
    page.goto(live_server.url + reverse("distribution:handout_pick"))
    box = page.locator("a.primary", has_text="Cấp máy").first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_360["width"]


def test_district_officer_pages_fit_360px(small_phone, live_server, login, world):
    page = login(small_phone, live_server, "huyen_nari")
    assert wide_pages(page, live_server.url, district_pages(world)) == []

    # Every place an IMEI is entered offers the camera next to the field (typing stays possible).
    for path, fields in [(reverse("distribution:device_intake"), ["id_imeis"]),
                         (reverse("distribution:batch_create"), ["id_imeis"]),
                         (reverse("distribution:batch_receive", args=[world["to_district"].pk]),
                          ["id_missing", "id_damaged"])]:
        page.goto(live_server.url + path)
        for field in fields:
            row = page.locator(f".scan-row:has(#{field})")
            assert row.locator("button.scan-button").count() == 1, (path, field)
            assert page.is_editable(f"#{field}")


def test_handout_form_picks_the_phone_from_the_commune_stock(small_phone, live_server, login, world):
    page = login(small_phone, live_server, "xa_conminh")
    hh = world["households"].near_poor
    in_stock = [d.imei for d in world["stock"][1:]]
    page.goto(live_server.url + reverse("distribution:handout_create", args=[hh.pk]))
    # Search as you type: a few digits narrow the commune's stock to the matching phones.
    wanted = in_stock[-1]
    page.fill("#id_imei", wanted[-5:])
    choices = page.locator(".stock-picker button")
    choices.first.wait_for()
    assert choices.all_inner_texts() and all(wanted[-5:] in t for t in choices.all_inner_texts())
    page.locator(".stock-picker button", has_text=wanted).click()
    assert page.input_value("#id_imei") == wanted
    page.select_option("#id_person", index=1)
    page.check("#id_consent")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert Handout.objects.filter(household=hh, device__imei=wanted).exists()
