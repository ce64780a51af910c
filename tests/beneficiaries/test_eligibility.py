"""Eligibility declared per programme: categories, one phone per household or per adult
without a smartphone, age 18+. Hand-outs enforce it; an exception needs a reason, is
recorded and reported; the priority list shows who qualifies and why."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from beneficiaries import eligibility
from beneficiaries.models import Person
from distribution import services as dist
from distribution.models import Handout
from phocap.common.errors import DomainError
from phocap.programmes.services import programme_update
from tests.factories import make_household

pytestmark = pytest.mark.django_db
D = datetime.date


def test_assess_rules(programme, tree):
    programme.eligible_categories = ["poor", "near_poor"]
    poor = make_household(tree.con_minh, rank=1, adults=3, without=2)
    other = make_household(tree.con_minh, rank=4, adults=2, without=1)
    no_need = make_household(tree.con_minh, rank=1, adults=2, without=0)
    v = eligibility.assess(programme, poor)
    assert v.eligible and "Hộ nghèo" in v.why[0]
    assert eligibility.assess(programme, other).codes == ["category_not_eligible"]
    assert eligibility.assess(programme, no_need).codes == ["no_adult_without_phone"]
    assert eligibility.assess(programme, poor, received=1).codes == ["household_already_received"]
    programme.one_phone_per_adult = True
    assert eligibility.assess(programme, poor, received=1).eligible
    poor.adults_without_phone = 0  # the registry lowers it as phones are handed out
    assert eligibility.assess(programme, poor, received=2).codes == ["household_already_received"]
    poor.adults_without_phone = 2
    assert eligibility.assess(programme, poor, birth_year=2010, on=D(2024, 1, 1)).codes == ["under_age"]
    assert eligibility.assess(programme, poor, birth_year=2006, on=D(2024, 1, 1)).eligible
    # Recorded categories win over the rank.
    policy = make_household(tree.con_minh, rank=4)
    policy.categories = {"policy": None}
    assert eligibility.assess(programme, policy).codes == ["category_not_eligible"]
    programme.eligible_categories = ["policy"]
    assert eligibility.assess(programme, policy).eligible


@pytest.fixture
def phones_at_con_minh(programme, tree, users):
    """Four phones in Côn Minh's stock, moved there through the real services."""
    from donations.models import Donation, Donor
    from tests.factories import make_imei

    donor = Donor.objects.create(kind="enterprise", name="VNPT", name_ascii="vnpt", unit=tree.bk)
    donation = Donation.objects.create(programme=programme, donor=donor, unit=tree.bk, received_on=D(2023, 8, 20),
                                       phones_count=4, phone_model="A04", phone_condition="new",
                                       phone_unit_value_vnd=2_000_000)
    devices = dist.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                                    imeis=[make_imei(i, series=5) for i in range(1, 5)], model="A04")
    b1 = dist.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province, count=4)
    dist.batch_receive(batch=b1, by=users.district)
    b2 = dist.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh, by=users.district,
                             count=4)
    dist.batch_receive(batch=b2, by=users.commune)
    return [d.imei for d in devices]


_ids = iter(f"0060800{n:05d}" for n in range(1, 1000))


def _give(programme, household, users, imei, **kw):
    return dist.handout_create(programme=programme, household=household, by=users.commune, imei=imei,
                               recipient_name=household.head_name, recipient_citizen_id=next(_ids),
                               handed_out_on=D(2023, 9, 5), **kw)


def test_handout_outside_eligibility_needs_a_recorded_reason(programme, tree, users, phones_at_con_minh):
    programme_update(programme=programme, by=users.province, eligible_categories=["poor", "near_poor", "policy"])
    programme.refresh_from_db()
    other = make_household(tree.con_minh, "Hà Văn Khác", rank=4, adults=2, without=0)
    with pytest.raises(DomainError) as e:
        _give(programme, other, users, phones_at_con_minh[0])
    assert e.value.code == "category_not_eligible"
    assert not Handout.objects.exists()
    handout = _give(programme, other, users, phones_at_con_minh[0],
                    exception_reason="Hộ có người khuyết tật, UBND xã đề nghị")
    assert handout.exception_reason == "Hộ có người khuyết tật, UBND xã đề nghị"
    assert handout.exception_rules == ["category_not_eligible", "no_adult_without_phone"]
    # An ordinary hand-out records no exception even if a reason was typed.
    poor = make_household(tree.con_minh, rank=1)
    ordinary = _give(programme, poor, users, phones_at_con_minh[1], exception_reason="thừa")
    assert ordinary.exception_reason == "" and ordinary.exception_rules == []


def test_one_phone_per_adult_and_age(programme, tree, users, phones_at_con_minh,
                                     django_capture_on_commit_callbacks):
    programme_update(programme=programme, by=users.province, one_phone_per_adult=True)
    programme.refresh_from_db()
    hh = make_household(tree.con_minh, rank=1, adults=3, without=2)
    with django_capture_on_commit_callbacks(execute=True):  # the registry hears each hand-out
        _give(programme, hh, users, phones_at_con_minh[0])
    with django_capture_on_commit_callbacks(execute=True):
        _give(programme, hh, users, phones_at_con_minh[1])
    with pytest.raises(DomainError) as e:
        _give(programme, hh, users, phones_at_con_minh[2])
    assert e.value.code == "household_already_received"
    young = make_household(tree.con_minh, rank=1)
    child = Person.objects.create(household=young, full_name="Lò Văn Nhỏ", birth_year=2010)
    with pytest.raises(DomainError) as e:
        dist.handout_create(programme=programme, household=young, by=users.commune, imei=phones_at_con_minh[2],
                            person=child, recipient_citizen_id="006080001234", handed_out_on=D(2023, 9, 5))
    assert e.value.code == "under_age"


def test_database_refuses_an_exception_without_reason(programme, tree, users, phones_at_con_minh):
    poor = make_household(tree.con_minh, rank=1)
    handout = _give(programme, poor, users, phones_at_con_minh[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Handout.objects.filter(pk=handout.pk).update(exception_rules=["category_not_eligible"])


def test_priority_list_shows_who_qualifies_and_why(client_for, users, programme, tree):
    programme_update(programme=programme, by=users.province, eligible_categories=["poor"])
    make_household(tree.con_minh, "Hoàng Văn Nghèo", rank=1, adults=2, without=2)
    make_household(tree.con_minh, "Triệu Thị Khác", rank=4)
    page = client_for(users.commune).get(reverse("beneficiaries:priority_list") + f"?commune={tree.con_minh.pk}")
    rows = {h.head_name: h.verdict for h in page.context["rows"]}
    assert rows["Hoàng Văn Nghèo"].eligible and "2 người lớn chưa có ĐTTM" in rows["Hoàng Văn Nghèo"].why
    assert rows["Triệu Thị Khác"].codes == ["category_not_eligible"]
    body = page.content.decode()
    assert "đủ điều kiện" in body and "không thuộc diện được nhận" in body


def test_exceptions_appear_in_reports(client_for, users, programme, tree, phones_at_con_minh, settings, tmp_path,
                                      django_capture_on_commit_callbacks):
    import io

    from openpyxl import load_workbook

    from programme_coverage.models import ReportJob

    settings.MEDIA_ROOT = str(tmp_path)
    other = make_household(tree.con_minh, "Hà Văn Khác", rank=4, adults=2, without=0)
    _give(programme, other, users, phones_at_con_minh[0], exception_reason="Hộ neo đơn, xã đề nghị")
    c = client_for(users.district)
    body = c.get(reverse("coverage:dashboard", args=[programme.pk, "legacy", tree.na_ri.code])).content.decode()
    assert "Hộ neo đơn, xã đề nghị" in body and "không có người lớn chưa có ĐTTM" in body
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("coverage:report_create", args=[programme.pk, "legacy", tree.na_ri.code]))
    job = ReportJob.objects.get()
    wb = load_workbook(io.BytesIO(c.get(reverse("coverage:report_download", args=[job.pk])).getvalue()))
    rows = list(wb["Cấp ngoại lệ"].iter_rows(values_only=True))
    assert rows[1][2] == "Hà Văn Khác" and rows[1][5] == "Hộ neo đơn, xã đề nghị"
