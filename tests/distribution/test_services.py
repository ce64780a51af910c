import datetime

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from beneficiaries.errors import Code as BeneficiariesCode
from distribution import services
from distribution.errors import Code
from distribution.models import Batch, BatchLine, Device, DeviceMovement, Handout
from distribution.selectors import device_drift, stock_at
from tests.errors import raises_code
from tests.factories import make_imei, make_procurement

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2023, 9, 10)


# --- intake ------------------------------------------------------------------------------

def test_register_puts_phones_in_stock_with_an_intake_row(stock, tree):
    assert stock_at(tree.bk) == 10
    d = Device.objects.get(imei=stock[0].imei)
    assert d.status == Device.Status.IN_STOCK and d.holder_unit == tree.bk
    assert list(d.movements.values_list("kind", flat=True)) == ["intake"]
    assert device_drift() == []


def test_bad_luhn_and_repeated_imei_are_named_and_nothing_is_saved(programme, tree, users, donation):
    bad = make_imei(1)[:-1] + str((int(make_imei(1)[-1]) + 1) % 10)
    with raises_code(Code.IMEI_LIST_INVALID) as e:
        services.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                                  imeis=[make_imei(1), bad, make_imei(1), "12345"])
    msg = e.value.message
    assert bad in msg and "12345" in msg  # every bad IMEI is named
    assert Device.objects.count() == 0 and DeviceMovement.objects.count() == 0


def test_an_imei_registered_before_is_refused(stock, programme, tree, users, donation):
    with raises_code(Code.IMEI_ALREADY_REGISTERED):
        services.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                                  imeis=[make_imei(99), stock[0].imei])
    assert Device.objects.count() == 10


def test_never_more_devices_than_the_source_brought(programme, tree, users, procurement):
    services.devices_register(programme=programme, unit=tree.bk, by=users.province, procurement=procurement,
                              imeis=[make_imei(i) for i in range(200, 204)])
    with raises_code(Code.SOURCE_CAPACITY_EXCEEDED):
        services.devices_register(programme=programme, unit=tree.bk, by=users.province, procurement=procurement,
                                  imeis=[make_imei(300), make_imei(301)])
    assert Device.objects.count() == 4


def test_intake_happens_at_the_unit_that_received_the_source(programme, tree, users, donation):
    with raises_code(Code.SOURCE_OTHER_UNIT):
        services.devices_register(programme=programme, unit=tree.na_ri, by=users.district, donation=donation,
                                  imeis=[make_imei(1)])


def test_reversed_donation_brings_no_phones(programme, tree, users, donation):
    from donations.models import Donation

    Donation.objects.create(programme=programme, donor=donation.donor, unit=tree.bk, received_on=TODAY,
                            phones_count=30, phone_condition="new", reverses=donation, reason="nhầm")
    with raises_code(Code.SOURCE_REVERSED):
        services.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                                  imeis=[make_imei(1)])


# --- constraints -------------------------------------------------------------------------

def test_database_refuses_a_device_in_two_places(stock, batch_to_na_ri, tree):
    d = Device.objects.filter(status=Device.Status.IN_STOCK).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.filter(pk=d.pk).update(batch=batch_to_na_ri)  # in stock AND in a batch


def test_database_refuses_a_non_digit_imei(programme, tree, donation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(imei="35000000000001X", programme=programme, source_donation=donation,
                              holder_unit=tree.bk)


def test_database_refuses_a_second_open_line(stock, batch_to_na_ri, programme, tree):
    other = Batch.objects.create(programme=programme, number=9, from_unit=tree.bk, to_unit=tree.ba_be,
                                 dispatched_at=datetime.datetime(2023, 9, 1, tzinfo=datetime.UTC))
    device = batch_to_na_ri.lines.first().device
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(batch=other, device=device)


def test_ledger_rows_cannot_be_changed_or_deleted(stock):
    m = DeviceMovement.objects.first()
    m.reason = "sửa"
    with pytest.raises(Exception, match="append-only"):
        m.save()
    with pytest.raises(Exception, match="append-only"):
        DeviceMovement.objects.all().delete()
    with pytest.raises(Exception, match="append-only"):
        DeviceMovement.objects.update(reason="x")


@pytest.mark.postgres
def test_postgres_checks_luhn_and_guards_the_ledger(stock, programme, tree, donation):
    from django.db import DatabaseError, connection

    bad = make_imei(5)[:-1] + str((int(make_imei(5)[-1]) + 1) % 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(imei=bad, programme=programme, source_donation=donation, holder_unit=tree.bk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE distribution_devicemovement SET reason = 'x'")


# --- batches -----------------------------------------------------------------------------

def test_dispatch_moves_phones_in_transit(batch_to_na_ri, tree):
    assert batch_to_na_ri.status == Batch.Status.DISPATCHED
    assert Device.objects.filter(batch=batch_to_na_ri, status="in_transit").count() == 6
    assert stock_at(tree.bk) == 4
    assert device_drift() == []


def test_batches_go_only_to_a_direct_child(stock, programme, tree, users):
    with raises_code(Code.NOT_DIRECT_CHILD):
        services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.con_minh,
                                by=users.province, count=1)


def test_only_officers_of_the_sender_dispatch(stock, programme, tree, users):
    with raises_code(Code.NOT_OFFICER_OF_UNIT):
        services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                by=users.district, count=1)


def test_dispatch_refuses_unknown_or_unavailable_imeis(batch_to_na_ri, stock, programme, tree, users):
    moving = batch_to_na_ri.lines.first().device.imei
    with raises_code(Code.DEVICES_UNAVAILABLE) as e:
        services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.ba_be, by=users.province,
                                imeis=[stock[9].imei, moving, make_imei(777)])
    assert moving in str(e.value) and make_imei(777) in str(e.value)
    assert not Batch.objects.filter(to_unit=tree.ba_be).exists()
    assert Device.objects.get(imei=stock[9].imei).status == "in_stock"


def test_count_takes_oldest_first_and_refuses_more_than_stock(stock, programme, tree, users):
    b = services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.ba_be, by=users.province,
                                count=3)
    assert sorted(b.lines.values_list("device__imei", flat=True)) == [d.imei for d in stock[:3]]
    with raises_code(Code.STOCK_INSUFFICIENT):
        services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province,
                                count=8)


def test_partial_receipt_keeps_missing_device_traceable(batch_to_na_ri, users, tree):
    lines = list(batch_to_na_ri.lines.select_related("device"))
    lost, broken = lines[0].device, lines[1].device
    services.batch_receive(batch=batch_to_na_ri, by=users.district, missing={lost.pk: "thất lạc"},
                           damaged={broken.pk: "vỡ màn hình"})
    lost.refresh_from_db()
    broken.refresh_from_db()
    batch_to_na_ri.refresh_from_db()
    assert batch_to_na_ri.status == "received" and batch_to_na_ri.partial
    assert lost.status == Device.Status.MISSING and lost.holder_unit == tree.na_ri
    assert broken.status == "in_stock" and broken.condition == "damaged"
    assert stock_at(tree.na_ri) == 5  # 4 good + 1 damaged
    assert BatchLine.objects.get(device=lost).reason == "thất lạc"
    assert device_drift() == []


def test_missing_reason_is_required(batch_to_na_ri, users):
    lost = batch_to_na_ri.lines.first().device
    with raises_code(Code.REASON_REQUIRED):
        services.batch_receive(batch=batch_to_na_ri, by=users.district, missing={lost.pk: " "})
    assert Batch.objects.get(pk=batch_to_na_ri.pk).status == "dispatched"


def test_only_the_receiving_unit_confirms(batch_to_na_ri, users):
    for user in (users.province, users.other_district, users.commune, users.auditor):
        with raises_code(Code.NOT_RECEIVING_OFFICER):
            services.batch_receive(batch=batch_to_na_ri, by=user)


def test_a_batch_is_confirmed_once(batch_to_na_ri, users):
    services.batch_receive(batch=batch_to_na_ri, by=users.district)
    with raises_code(Code.BATCH_NOT_DISPATCHED):
        services.batch_receive(batch=batch_to_na_ri, by=users.district)


def test_cancel_before_receipt_returns_phones_to_sender(batch_to_na_ri, users, tree):
    with raises_code(Code.NOT_SENDING_OFFICER):
        services.batch_cancel(batch=batch_to_na_ri, by=users.district, reason="x")
    services.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="giao nhầm huyện")
    assert stock_at(tree.bk) == 10
    assert BatchLine.objects.filter(outcome="cancelled").count() == 6
    assert device_drift() == []
    with raises_code(Code.BATCH_NOT_DISPATCHED):
        services.batch_receive(batch=batch_to_na_ri, by=users.district)


def test_received_batch_cannot_be_cancelled(batch_to_na_ri, users):
    services.batch_receive(batch=batch_to_na_ri, by=users.district)
    with raises_code(Code.BATCH_NOT_DISPATCHED):
        services.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="x")


@pytest.mark.parametrize("resolution,status,unit", [("found", "in_stock", "na_ri"),
                                                     ("returned", "in_stock", "bk"),
                                                     ("written_off", "written_off", "na_ri")])
def test_missing_device_is_resolved(batch_to_na_ri, users, tree, resolution, status, unit):
    lost = batch_to_na_ri.lines.first().device
    services.batch_receive(batch=batch_to_na_ri, by=users.district, missing={lost.pk: "thất lạc"})
    services.missing_resolve(device=lost, by=users.district, resolution=resolution, reason="biên bản xác minh")
    lost.refresh_from_db()
    assert (lost.status, lost.holder_unit) == (status, getattr(tree, unit))
    assert BatchLine.objects.get(device=lost).resolution == resolution
    assert device_drift() == []


def test_dispatch_and_receive_queries_do_not_grow_with_batch_size(programme, tree, users):
    src = make_procurement(programme, tree.bk, supplier="X", unit_price_vnd=1, quantity=300)
    services.devices_register(programme=programme, unit=tree.bk, by=users.province, procurement=src,
                              imeis=[make_imei(1000 + i) for i in range(300)])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n, to_unit in ((5, tree.ba_be), (200, tree.na_ri)):
        with CaptureQueriesContext(connection) as dispatch:
            b = services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=to_unit,
                                        by=users.province, count=n)
        receiver = users.district if to_unit == tree.na_ri else users.other_district
        with CaptureQueriesContext(connection) as receipt:
            services.batch_receive(batch=b, by=receiver)
        counts.append((len(dispatch), len(receipt)))
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= 16 and counts[0][1] <= 16


# --- hand-outs ---------------------------------------------------------------------------

def test_handout_to_a_poor_household(commune_stock, households, programme, users, tree):
    person = households.poor.people.get(is_head=True)
    device = commune_stock[0]
    h = services.handout_create(programme=programme, household=households.poor, by=users.commune, imei=device.imei,
                                handed_out_on=TODAY, person=person)
    device.refresh_from_db()
    assert device.status == "handed_out" and device.holder_unit == tree.con_minh
    assert (h.recipient_name, h.recipient_citizen_id) == ("Hoàng Văn Pản", "006080001234")
    assert households.poor.handouts.filter(status="active").count() == 1
    assert device_drift() == []


def test_one_phone_per_household_by_default(commune_stock, households, programme, users):
    services.handout_create(programme=programme, household=households.poor, by=users.commune,
                            imei=commune_stock[0].imei, handed_out_on=TODAY,
                            person=households.poor.people.get(is_head=True))
    with raises_code(Code.HOUSEHOLD_ALREADY_RECEIVED):
        services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                imei=commune_stock[1].imei, handed_out_on=TODAY,
                                recipient_name="Lý Thị Mai", recipient_citizen_id="006185004321")


def test_one_phone_per_adult_without_smartphone_when_the_programme_says_so(commune_stock, households, programme,
                                                                          users):
    programme.one_phone_per_adult = True
    programme.save()
    hh = households.poor  # 1 adult without a smartphone... give it 2
    type(hh).objects.filter(pk=hh.pk).update(adults_without_phone=2)
    hh.refresh_from_db()
    for i, (name, cid) in enumerate([("Hoàng Văn Pản", "006080001234"), ("Lý Thị Mai", "006185004321")]):
        services.handout_create(programme=programme, household=hh, by=users.commune, imei=commune_stock[i].imei,
                                handed_out_on=TODAY, recipient_name=name, recipient_citizen_id=cid)
    with raises_code(Code.HOUSEHOLD_ALREADY_RECEIVED):
        services.handout_create(programme=programme, household=hh, by=users.commune, imei=commune_stock[2].imei,
                                handed_out_on=TODAY, recipient_name="X", recipient_citizen_id="006185004322")


def test_one_active_handout_per_citizen_id_even_typed_without_a_person(commune_stock, households, programme,
                                                                         users):
    # Security probe: the same ID typed (no person picked) received two phones.
    services.handout_create(programme=programme, household=households.poor, by=users.commune,
                            imei=commune_stock[0].imei, handed_out_on=TODAY,
                            recipient_name="Hoàng Văn Pản", recipient_citizen_id="006080001234")
    with raises_code(Code.CITIZEN_ID_ALREADY_RECEIVED):
        services.handout_create(programme=programme, household=households.near_poor, by=users.commune,
                                imei=commune_stock[1].imei, handed_out_on=TODAY,
                                recipient_name="Hoàng Văn Pản", recipient_citizen_id="006080001234")
    assert Handout.objects.filter(recipient_citizen_id="006080001234").count() == 1


def test_the_database_holds_one_active_handout_per_citizen_id(commune_stock, households, programme, users):

    first = services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                    imei=commune_stock[0].imei, handed_out_on=TODAY,
                                    recipient_name="A", recipient_citizen_id="006080001234")
    second = Handout(programme=programme, household=households.near_poor, device=commune_stock[1],
                     commune=first.commune, recipient_name="A", recipient_citizen_id="006080001234",
                     handed_out_on=TODAY, created_by=users.commune)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # After a reversal the person may receive a phone again.
    services.handout_reverse(handout=first, by=users.commune, reason="trả lại")
    second.save()


def test_only_officials_of_the_households_commune_hand_out(commune_stock, households, programme, users):
    for user in (users.other_commune, users.district, users.province, users.auditor):
        with raises_code(Code.NOT_COMMUNE_OFFICIAL):
            services.handout_create(programme=programme, household=households.poor, by=user,
                                    imei=commune_stock[0].imei, handed_out_on=TODAY,
                                    recipient_name="A", recipient_citizen_id="006080001234")
    assert not Handout.objects.exists()


def test_handout_needs_the_phone_in_the_communes_stock(batch_to_na_ri, stock, households, programme, users):
    with raises_code(Code.DEVICE_NOT_IN_STOCK):
        services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                imei=stock[9].imei, handed_out_on=TODAY,
                                recipient_name="A", recipient_citizen_id="006080001234")


def test_handout_refuses_inactive_household_and_bad_citizen_id(commune_stock, households, programme, users):
    with raises_code(Code.HOUSEHOLD_INACTIVE):
        services.handout_create(programme=programme, household=households.moved, by=users.commune,
                                imei=commune_stock[0].imei, handed_out_on=TODAY,
                                recipient_name="A", recipient_citizen_id="006080001234")
    with raises_code(BeneficiariesCode.CITIZEN_ID_INVALID):
        services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                imei=commune_stock[0].imei, handed_out_on=TODAY,
                                recipient_name="A", recipient_citizen_id="0060800")
    # 12 digits are not enough: the registry's rule (a real province code, then 0-3).
    with raises_code(BeneficiariesCode.CITIZEN_ID_INVALID):
        services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                imei=commune_stock[0].imei, handed_out_on=TODAY,
                                recipient_name="A", recipient_citizen_id="003080001234")
    assert not Handout.objects.exists() and Device.objects.get(pk=commune_stock[0].pk).status == "in_stock"


def test_same_phone_cannot_go_to_two_households(commune_stock, households, programme, users):
    imei = commune_stock[0].imei
    services.handout_create(programme=programme, household=households.poor, by=users.commune, imei=imei,
                            handed_out_on=TODAY, recipient_name="A", recipient_citizen_id="006080001234")
    with raises_code(Code.DEVICE_HANDED_OUT) as refused:
        services.handout_create(programme=programme, household=households.near_poor, by=users.commune, imei=imei,
                                handed_out_on=TODAY, recipient_name="B", recipient_citizen_id="006190007777")
    assert "đã được cấp phát cho một hộ tại Xã Côn Minh" in refused.value.message  # says where it went


def test_reverse_handout_restocks_the_phone(commune_stock, households, programme, users, tree):
    h = services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                imei=commune_stock[0].imei, handed_out_on=TODAY,
                                recipient_name="A", recipient_citizen_id="006080001234")
    with raises_code(Code.REASON_REQUIRED):
        services.handout_reverse(handout=h, by=users.commune, reason="")
    services.handout_reverse(handout=h, by=users.commune, reason="người nhận đã có máy")
    d = Device.objects.get(pk=commune_stock[0].pk)
    assert d.status == "in_stock" and d.holder_unit == tree.con_minh
    assert Handout.objects.get(pk=h.pk).status == "reversed"
    with raises_code(Code.HANDOUT_ALREADY_REVERSED):
        services.handout_reverse(handout=h, by=users.commune, reason="lần nữa")
    # the household may now receive another phone
    services.handout_create(programme=programme, household=households.poor, by=users.commune,
                            imei=commune_stock[1].imei, handed_out_on=TODAY,
                            recipient_name="A", recipient_citizen_id="006080001234")
    assert device_drift() == []


def test_devices_changed_is_sent_on_commit_with_commune_ids(commune_stock, households, programme, users, tree,
                                                            commune_ids_sent):
    from distribution.signals import devices_changed

    with commune_ids_sent(devices_changed) as seen:
        services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                imei=commune_stock[0].imei, handed_out_on=TODAY,
                                recipient_name="A", recipient_citizen_id="006080001234")
    assert seen == [{tree.con_minh.pk}]


def test_reconcile_reports_drift(stock, capsys):
    from django.core.management import call_command

    call_command("reconcile_devices")
    Device.objects.filter(pk=stock[0].pk).update(status="written_off")  # behind the ledger's back
    with pytest.raises(SystemExit) as e:
        call_command("reconcile_devices")
    assert e.value.code == 1
    assert stock[0].imei in capsys.readouterr().out


def test_reconcile_task_counts_drift(stock):
    from distribution.tasks import devices_reconcile_task

    assert devices_reconcile_task.delay().get() == 0
    Device.objects.filter(pk=stock[0].pk).update(holder_unit=stock[0].holder_unit.children.first())
    assert devices_reconcile_task.delay().get() == 1


def test_bench_command_prints_the_summary_line_and_leaves_nothing(db, capsys):
    import re

    from django.core.management import call_command

    call_command("bench_distribution", devices=20)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"devices=20 intake_s=[\d.]+ dispatch_s=[\d.]+ confirm_s=[\d.]+ handout_s=[\d.]+ "
                        r"dispatch_queries=\d+ confirm_queries=\d+", line), line
    assert not Device.objects.exists()  # rolled back


def test_events_keep_the_date_of_the_paper_minutes(stock, programme, tree, users):
    from zoneinfo import ZoneInfo

    when = datetime.datetime(2023, 8, 31, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    b = services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province,
                                count=2, at=when)
    assert b.dispatched_at == when
    assert set(DeviceMovement.objects.filter(batch=b).values_list("at", flat=True)) == {when}
    with raises_code(Code.RECEIVED_BEFORE_DISPATCHED):
        services.batch_receive(batch=b, by=users.district, at=when - datetime.timedelta(hours=1))


@given(st.text(alphabet="0123456789", min_size=14, max_size=14), st.integers(min_value=1, max_value=9))
def test_imei_check_digit_property(prefix, shift):
    from distribution.imeis import is_valid_imei, luhn_complete

    good = luhn_complete(prefix)
    assert is_valid_imei(good)
    bad = good[:-1] + str((int(good[-1]) + shift) % 10)
    assert not is_valid_imei(bad)  # any single wrong check digit is caught


@pytest.mark.postgres
def test_postgres_luhn_function_agrees_with_stdnum():
    import random

    from django.db import connection

    from distribution.imeis import is_valid_imei

    rng = random.Random(5)
    samples = ["".join(rng.choice("0123456789") for _ in range(15)) for _ in range(300)]
    samples += [make_imei(i) for i in range(100)] + ["12345", "35000000000001X"]
    with connection.cursor() as c:
        c.execute("SELECT s, distribution_imei_luhn_ok(s) FROM unnest(%s::text[]) AS s", [samples])
        for value, ok in c.fetchall():
            assert ok == is_valid_imei(value), value
