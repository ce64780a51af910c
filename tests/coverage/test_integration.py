"""The real services of the other apps send their domain events on commit, and the
summary rows follow: a hand-out, its reversal, a household correction."""

import datetime

import pytest

from beneficiaries.services import household_update
from distribution.coverage.models import CoverageSummary
from distribution.services import devices_register, handout_create, handout_reverse
from tests.coverage.conftest import direct_figures, luhn_imei, make_household, row_figures

pytestmark = pytest.mark.django_db


def test_handout_service_and_reversal_update_the_commune_row(programme, tree, users, donation,
                                                             django_capture_on_commit_callbacks):
    # Phones given in kind straight to the commune, so they can be registered in its stock.
    donation.unit = tree.con_minh
    donation.save(update_fields=["unit"])
    household = make_household(tree.con_minh, rank=1)
    imei = luhn_imei(900)
    with django_capture_on_commit_callbacks(execute=True):
        devices_register(programme=programme, unit=tree.con_minh, imeis=[imei], by=users.commune, donation=donation)
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert (row.phones_in_stock, row.phones_handed_out) == (1, 0)

    with django_capture_on_commit_callbacks(execute=True):
        handout = handout_create(programme=programme, household=household, by=users.commune, imei=imei,
                                 recipient_name="Lường Văn Pấu", recipient_citizen_id="006090001234",
                                 handed_out_on=datetime.date(2023, 9, 1))
    row.refresh_from_db()
    assert (row.phones_in_stock, row.phones_handed_out, row.households_reached) == (0, 1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        handout_reverse(handout=handout, by=users.commune, reason="Cấp nhầm hộ")
    row.refresh_from_db()
    assert row_figures(row) == direct_figures(programme, tree.con_minh)
    assert (row.phones_in_stock, row.phones_handed_out) == (1, 0)


def test_household_correction_updates_the_commune_row(programme, tree, django_capture_on_commit_callbacks):
    household = make_household(tree.con_minh, rank=4, adults=2, without=2)
    with django_capture_on_commit_callbacks(execute=True):
        household_update(household=household, data={"adults_without_phone": 1}, categories=[("poor", 2023)])
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert row_figures(row) == direct_figures(programme, tree.con_minh)
    assert row.households_poor == 1
