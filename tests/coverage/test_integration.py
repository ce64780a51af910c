"""The real services of the other apps send their domain events on commit, and the
summary rows follow: a hand-out, its reversal, a household correction."""

import datetime

import pytest
from django.db.models import Max

from beneficiaries.services import household_update
from distribution.models import DeviceMovement
from distribution.services import devices_register, handout_create, handout_reverse
from programme_coverage.models import CoverageSummary
from tests.coverage.conftest import direct_figures, row_figures
from tests.factories import make_household, make_imei

pytestmark = pytest.mark.django_db


def ledger_place(programme, commune) -> tuple[int, int]:
    """(in stock at the commune, handed out from it) replayed from the append-only ledger:
    the last movement of each device says where it is."""
    last = (DeviceMovement.objects.filter(device__programme=programme).values("device")
            .annotate(last=Max("pk")).values("last"))
    final = DeviceMovement.objects.filter(pk__in=last, to_unit=commune)
    return final.filter(status_after="in_stock").count(), final.filter(status_after="handed_out").count()


def test_handout_service_and_reversal_update_the_commune_row(programme, tree, users, donation,
                                                             django_capture_on_commit_callbacks):
    # Phones given in kind straight to the commune, so they can be registered in its stock.
    donation.unit = tree.con_minh
    donation.save(update_fields=["unit"])
    household = make_household(tree.con_minh, rank=1)
    imei = make_imei(900, series=1)
    with django_capture_on_commit_callbacks(execute=True):
        devices_register(programme=programme, unit=tree.con_minh, imeis=[imei], by=users.commune, donation=donation)
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert (row.phones_in_stock, row.phones_handed_out) == (1, 0) == ledger_place(programme, tree.con_minh)

    with django_capture_on_commit_callbacks(execute=True):
        handout = handout_create(programme=programme, household=household, by=users.commune, imei=imei,
                                 recipient_name="Lường Văn Pấu", recipient_citizen_id="006090001234",
                                 handed_out_on=datetime.date(2023, 9, 1))
    row.refresh_from_db()
    assert (row.phones_in_stock, row.phones_handed_out, row.households_reached) == (0, 1, 1)
    assert ledger_place(programme, tree.con_minh) == (0, 1)

    with django_capture_on_commit_callbacks(execute=True):
        handout_reverse(handout=handout, by=users.commune, reason="Cấp nhầm hộ")
    row.refresh_from_db()
    assert row_figures(row) == direct_figures(programme, tree.con_minh)
    assert (row.phones_in_stock, row.phones_handed_out) == (1, 0) == ledger_place(programme, tree.con_minh)


def test_household_correction_updates_the_commune_row(programme, tree, django_capture_on_commit_callbacks):
    household = make_household(tree.con_minh, rank=4, adults=2, without=2)
    with django_capture_on_commit_callbacks(execute=True):
        household_update(household=household, adults_without_phone=1, categories=[("poor", 2023)])
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert row_figures(row) == direct_figures(programme, tree.con_minh)
    assert row.households_poor == 1


def test_batches_down_the_tree_move_phones_between_places(programme, tree, users, donation,
                                                          django_capture_on_commit_callbacks, client_for):
    """Province stock → district → in transit to Côn Minh → received (one missing)."""
    from distribution.services import batch_dispatch, batch_receive
    from programme_coverage.selectors import device_places, unit_figures

    imeis = [make_imei(950 + i, series=1) for i in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        devices_register(programme=programme, unit=tree.bk, imeis=imeis, by=users.province, donation=donation)
        to_district = batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                     by=users.province, imeis=imeis)
        batch_receive(batch=to_district, by=users.district)
        to_commune = batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                    by=users.district, imeis=imeis[:3])
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert (row.phones_in_transit, row.phones_in_stock) == (3, 0)
    figures = unit_figures(programme=programme, unit=tree.bk)
    places = device_places(programme=programme, unit=tree.bk, figures=figures)
    assert (places["stock_district"], places["in_transit"], places["stock_province"]) == (1, 3, 0)

    lost = to_commune.devices.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        batch_receive(batch=to_commune, by=users.commune, missing={lost.pk: "Thất lạc khi vận chuyển"})
    row.refresh_from_db()
    assert (row.phones_in_transit, row.phones_in_stock) == (0, 2)
    assert row_figures(row) == direct_figures(programme, tree.con_minh)
    assert ledger_place(programme, tree.con_minh)[0] == 2
    places = device_places(programme=programme, unit=tree.bk, figures=unit_figures(programme=programme, unit=tree.bk))
    assert (places["stock_commune"], places["stock_district"], places["missing"]) == (2, 1, 1)
