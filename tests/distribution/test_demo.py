"""The distribution demo on a small copy of Bắc Kạn's tree: 176 phones traced, batch 1 to the
8 districts, one missing phone, Côn Minh's hand-outs, the 202 phones bought with the cash
in batch 2 down to every pilot commune, reconcile clean, idempotent; every cash donor sees
phones and communes."""

import pytest

from distribution.models import Batch, Device, Handout
from distribution.selectors import device_drift
from tests.factories import make_household, make_unit

pytestmark = pytest.mark.django_db

PILOTS = [("Bắc Kạn", "thành phố", "058", "Sông Cầu", "01843"), ("Bạch Thông", "huyện", "060", "Quang Thuận", "01900"),
          ("Ba Bể", "huyện", "061", "Thượng Giáo", "01864"), ("Chợ Đồn", "huyện", "063", "Nghĩa Tá", "01990"),
          ("Chợ Mới", "huyện", "065", "Như Cố", "02080"), ("Ngân Sơn", "huyện", "062", "Đức Vân", "01930"),
          ("Na Rì", "huyện", "066", "Côn Minh", "02071"), ("Pác Nặm", "huyện", "059", "Giáo Hiệu", "01870")]


@pytest.fixture
def demo_programme(db):
    from donations import demo as donations_demo
    from phocap.programmes import demo as programme_demo

    bk = make_unit(level="province", code="06", name="Bắc Kạn")
    communes = {}
    for district, kind, dcode, commune, ccode in PILOTS:
        d = make_unit(level="district", code=dcode, name=district, parent=bk, division_type=kind)
        communes[commune] = make_unit(level="commune", code=ccode, name=commune, parent=d)
    programme = programme_demo.load()
    donations_demo.load(programme=programme)
    for i in range(15):
        make_household(communes["Côn Minh"], f"Hộ nghèo {i:02d}", rank=1 if i < 13 else 2,
                       people=[(f"Hộ nghèo {i:02d}", f"0060800{i:05d}")])
    return programme


def _snapshot(programme):
    return (Device.objects.count(), Batch.objects.count(), Handout.objects.count(),
            sorted(Device.objects.values_list("imei", "status", "holder_unit_id", "batch_id")))


def test_demo_traces_every_phone_and_is_idempotent(demo_programme):
    from distribution import demo

    demo.load(programme=demo_programme, stdout=None)
    assert Device.objects.filter(programme=demo_programme).count() == 176 + 202
    assert Device.objects.filter(source_donation__isnull=False).count() == 176
    assert Device.objects.filter(source_procurement__isnull=False).count() == 202
    batch2 = Batch.objects.filter(number=2, from_unit=demo_programme.province)
    assert batch2.count() == 8 and batch2.filter(status="received").count() == 8
    assert Batch.objects.filter(number=2, to_unit__level="commune", status="received").count() == 8
    assert set(Device.objects.filter(source_procurement__isnull=False)
               .values_list("holder_unit__level", flat=True)) == {"commune"}
    batch1 = Batch.objects.filter(number=1, from_unit=demo_programme.province)
    assert batch1.count() == 8
    assert {b.dispatched_at.date().isoformat() for b in batch1} == {"2023-08-31"}
    assert batch1.filter(status="received").count() == 7
    assert batch1.get(to_unit__name="Ba Bể").partial
    assert Device.objects.filter(status="missing").count() == 1
    assert Device.objects.filter(status="in_transit", batch__to_unit__name="Pác Nặm").count() == 22
    assert Handout.objects.filter(commune__name="Côn Minh").count() == 12
    assert set(Handout.objects.values_list("household__priority_rank", flat=True)) == {1}
    assert all(d.movements.exists() for d in Device.objects.all())
    assert device_drift() == []

    before = _snapshot(demo_programme)
    demo.load(programme=demo_programme, stdout=None)
    assert _snapshot(demo_programme) == before


def test_every_cash_donor_sees_phones_and_communes(demo_programme):
    from distribution import demo
    from distribution.gift_trace import gifts_trace
    from donations.models import Donation, Donor

    demo.load(programme=demo_programme, stdout=None)
    cash_donors = Donor.objects.filter(donations__in=Donation.objects.effective().filter(cash_vnd__gt=0)).distinct()
    units = cash_donors.exclude(kind=Donor.Kind.INDIVIDUAL)
    assert units.count() == 35 and cash_donors.count() == 70
    for donor in cash_donors:
        trace = gifts_trace(donor.donations.all())
        assert trace.cash_spent_vnd > 0 and trace.phones_bought > 0, donor.name
        assert trace.communes and all(n > 0 for _u, n in trace.communes), donor.name
    everyone = gifts_trace(Donation.objects.filter(programme=demo_programme))
    assert everyone.phones_bought == everyone.phones_counted == 202
