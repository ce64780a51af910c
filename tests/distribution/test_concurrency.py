"""Two officers, two clicks, one phone: exactly one wins, on PostgreSQL with real row locks."""

import datetime

import pytest

from distribution import services
from distribution.errors import Code
from distribution.models import Batch, BatchLine, Device, DeviceMovement, Handout
from distribution.selectors import device_drift
from phocap.common.errors import DomainError
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TODAY = datetime.date(2023, 9, 10)


def race(*calls):
    """Run the calls at the same moment; [("ok", result) | ("error", code) | ("crash", repr)]."""
    return [("error", r.code) if isinstance(r, DomainError) else ("crash", repr(r)) if isinstance(r, Exception)
            else ("ok", r) for r in run_together(*calls)]


def outcomes(results):
    return sorted(r[0] for r in results)


def test_same_device_in_two_batches(stock, programme, tree, users):
    imei = stock[0].imei
    results = race(
        lambda: services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                        by=users.province, imeis=[imei]),
        lambda: services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.ba_be,
                                        by=users.province, imeis=[imei]))
    assert outcomes(results) == ["error", "ok"], results
    assert [r[1] for r in results if r[0] == "error"] == [Code.DEVICES_UNAVAILABLE]
    assert BatchLine.objects.filter(device__imei=imei).count() == 1
    assert device_drift() == []


def test_two_count_dispatches_never_share_a_phone(stock, programme, tree, users):
    results = race(
        lambda: services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                        by=users.province, count=5),
        lambda: services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.ba_be,
                                        by=users.province, count=5))
    assert outcomes(results) == ["ok", "ok"], results
    assert Device.objects.filter(status="in_transit").count() == 10
    assert device_drift() == []


def test_same_batch_confirmed_twice(batch_to_na_ri, users):
    results = race(lambda: services.batch_receive(batch=batch_to_na_ri, by=users.district),
                   lambda: services.batch_receive(batch=batch_to_na_ri, by=users.district))
    assert outcomes(results) == ["error", "ok"], results
    assert [r[1] for r in results if r[0] == "error"] == [Code.BATCH_NOT_DISPATCHED]
    assert DeviceMovement.objects.filter(kind="receipt").count() == 6
    assert device_drift() == []


def test_confirm_races_cancel(batch_to_na_ri, users):
    results = race(lambda: services.batch_receive(batch=batch_to_na_ri, by=users.district),
                   lambda: services.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="nhầm"))
    assert outcomes(results) == ["error", "ok"], results
    assert Batch.objects.get(pk=batch_to_na_ri.pk).status in ("received", "cancelled")
    assert device_drift() == []


def test_same_phone_to_two_households(commune_stock, households, programme, users):
    imei = commune_stock[0].imei
    results = race(
        lambda: services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                        imei=imei, handed_out_on=TODAY, recipient_name="A",
                                        recipient_citizen_id="006080001234"),
        lambda: services.handout_create(programme=programme, household=households.near_poor, by=users.commune,
                                        imei=imei, handed_out_on=TODAY, recipient_name="B",
                                        recipient_citizen_id="006190007777"))
    assert outcomes(results) == ["error", "ok"], results
    assert Handout.objects.filter(device__imei=imei).count() == 1
    assert device_drift() == []


def test_double_submit_of_a_handout(commune_stock, households, programme, users):
    def submit(imei):
        return lambda: services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                               imei=imei, handed_out_on=TODAY, recipient_name="A",
                                               recipient_citizen_id="006080001234")

    # the same form twice, and the same household with two different phones
    results = race(submit(commune_stock[0].imei), submit(commune_stock[0].imei), submit(commune_stock[1].imei))
    assert outcomes(results) == ["error", "error", "ok"], results
    assert Handout.objects.filter(household=households.poor).count() == 1
    assert Device.objects.filter(status="handed_out").count() == 1
    assert device_drift() == []
