"""The demo's phones (Bắc Kạn 2023): the 176 in-kind phones, batch 1 of 31/8/2023 to the
8 districts, the districts passing them to their pilot communes, one phone reported
missing, and Côn Minh handing phones to poor households from its priority list. Then the
202 phones bought with the cash (5/9 and 20/9/2023) are registered and go down as batch 2
(25/9/2023) to every district and on to its pilot commune (28/9/2023), so each cash donor
sees its share of phones in communes.

Runs after the donations and beneficiaries demos. Idempotent: every step looks for what
it would create (devices by source, batches by number and units, hand-outs by count) and
only adds what is missing. Everything goes through the services, so the ledger is whole
and `reconcile_devices` exits 0.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from beneficiaries.citizen_ids import check_id
from phocap.accounts.models import Role, User
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme

from . import services
from .imeis import luhn_complete
from .models import Batch, Device, Handout
from .selectors import stock_at

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
INTAKE_AT = datetime.datetime(2023, 8, 30, 9, 0, tzinfo=TZ)
BATCH1_AT = datetime.datetime(2023, 8, 31, 8, 30, tzinfo=TZ)      # the ceremony at Sở TTTT
DISTRICT_RECEIPT_AT = datetime.datetime(2023, 8, 31, 15, 0, tzinfo=TZ)
TO_COMMUNE_AT = datetime.datetime(2023, 9, 5, 8, 0, tzinfo=TZ)
COMMUNE_RECEIPT_AT = datetime.datetime(2023, 9, 5, 14, 0, tzinfo=TZ)
HANDOUT_ON = datetime.date(2023, 9, 8)
PER_DISTRICT = 22                       # 176 phones / 8 districts
MISSING_DISTRICT = "Ba Bể"              # counts one phone short
MISSING_REASON = "Thiếu 01 máy khi kiểm đếm tại huyện, đang xác minh với đơn vị vận chuyển"
NOT_YET_CONFIRMED = "Pác Nặm"           # its officers have not confirmed yet: phones in transit
HANDOUTS_IN_CON_MINH = 12
BOUGHT_INTAKE_AT = datetime.datetime(2023, 9, 21, 9, 0, tzinfo=TZ)
BATCH2_AT = datetime.datetime(2023, 9, 25, 8, 30, tzinfo=TZ)
BATCH2_RECEIPT_AT = datetime.datetime(2023, 9, 25, 15, 0, tzinfo=TZ)
BATCH2_TO_COMMUNE_AT = datetime.datetime(2023, 9, 28, 8, 0, tzinfo=TZ)
BATCH2_COMMUNE_RECEIPT_AT = datetime.datetime(2023, 9, 28, 14, 0, tzinfo=TZ)


def _officer(username: str, unit: AdminUnit, role: str, full_name: str) -> User:
    """An officer of `unit` who signs the demo's batches (the demo logins exist already).

    No usable password: they only appear in the ledger and on the minutes, and hashing
    14 passwords would cost ~10 s of the demo.
    """
    from phocap.accounts.services import membership_grant, user_create

    user = User.objects.filter(username=username).first()
    if user is None:
        last, _sep, first = full_name.rpartition(" ")
        user = user_create(username=username, password=None, first_name=first, last_name=last)
    membership_grant(user=user, unit=unit, role=role)  # idempotent
    return user


def _district_officer(district: AdminUnit) -> User:
    if district.name == "Na Rì" and (user := User.objects.filter(username="demo_huyen").first()):
        return user
    return _officer(f"demo_huyen_{district.code}", district, Role.DISTRICT_OFFICER,
                    f"Cán bộ {district.full_name}")


def _commune_official(commune: AdminUnit) -> User:
    if commune.name == "Côn Minh" and (user := User.objects.filter(username="demo_xa").first()):
        return user
    return _officer(f"demo_xa_{commune.code}", commune, Role.COMMUNE_OFFICIAL, f"Cán bộ {commune.full_name}")


def _register_source(programme: Programme, staff: User, *, tac: int, count: int, at, condition: str,
                     **source) -> int:
    """Register what one source (`donation=` or `procurement=`) brought and is not yet
    registered. Deterministic IMEIs: one made-up TAC per source, serials 1..n, Luhn digit
    computed."""
    (kind, row), = source.items()
    have = Device.objects.filter(**{f"source_{kind}": row}).count()
    if have >= count:
        return 0
    imeis = [luhn_complete(f"35{tac:06d}{serial:06d}") for serial in range(1, count + 1)]
    taken = set(Device.objects.filter(imei__in=imeis).values_list("imei", flat=True))
    todo = [x for x in imeis if x not in taken][: count - have]
    if todo:
        services.devices_register(programme=programme, unit=row.unit, imeis=todo, by=staff, model=row.phone_model,
                                  condition=condition, at=at, **source)
    return len(todo)


def _register(programme: Programme, staff: User) -> int:
    """The in-kind phones (TACs 35 208 00i …)."""
    from donations.models import Donation

    gifts = (Donation.objects.effective().filter(programme=programme, phones_count__gt=0)
             .select_related("unit").order_by("received_on", "pk"))
    return sum(_register_source(programme, staff, tac=208000 + i, count=gift.phones_count, at=INTAKE_AT,
                                condition=gift.phone_condition or "new", donation=gift)
               for i, gift in enumerate(gifts, start=1))


def _register_bought(programme: Programme, staff: User) -> int:
    """The phones bought with the cash (TACs 35 209 00j …)."""
    from donations.models import Procurement

    purchases = Procurement.objects.effective().filter(programme=programme).select_related("unit").order_by("pk")
    return sum(_register_source(programme, staff, tac=209000 + j, count=purchase.quantity, at=BOUGHT_INTAKE_AT,
                                condition="new", procurement=purchase)
               for j, purchase in enumerate(purchases, start=1))


def _batch(programme, from_unit, to_unit, number: int = 1) -> Batch | None:
    return (Batch.objects.filter(programme=programme, from_unit=from_unit, to_unit=to_unit, number=number)
            .exclude(status=Batch.Status.CANCELLED).first())


def _send_bought(programme: Programme, staff: User, pairs: list) -> None:
    """Batch 2: the bought phones split evenly over the districts, all confirmed, each
    district passing its share on to its pilot commune."""
    province = programme.province
    if not pairs:
        return
    pending = [(d, c) for d, c in pairs if _batch(programme, province, d, 2) is None]
    stock = stock_at(province, programme=programme, usable_only=True)
    for k, (district, _commune) in enumerate(pending):
        share = stock // len(pending) + (1 if k < stock % len(pending) else 0)
        if share:
            services.batch_dispatch(programme=programme, from_unit=province, to_unit=district, by=staff,
                                    count=share, number=2, at=BATCH2_AT,
                                    note="Bàn giao đợt 2: máy mua bằng tiền ủng hộ")
    for district, commune in pairs:
        batch = _batch(programme, province, district, 2)
        if batch is None:
            continue
        if batch.status == Batch.Status.DISPATCHED:
            batch = services.batch_receive(batch=batch, by=_district_officer(district), at=BATCH2_RECEIPT_AT)
        onward = _batch(programme, district, commune, 2)
        if onward is None:
            onward = services.batch_dispatch(programme=programme, from_unit=district, to_unit=commune,
                                             by=_district_officer(district), count=batch.lines.count(), number=2,
                                             at=BATCH2_TO_COMMUNE_AT)
        if onward.status == Batch.Status.DISPATCHED:
            services.batch_receive(batch=onward, by=_commune_official(commune), at=BATCH2_COMMUNE_RECEIPT_AT)


@transaction.atomic
def load(*, programme: Programme, stdout=None) -> None:
    province = programme.province
    staff = User.objects.get(username="demo_tinh")
    registered = _register(programme, staff)

    communes = list(AdminUnit.objects.filter(programme_targets__programme=programme).select_related("parent")
                    .order_by("path"))
    pairs = [(c.parent, c) for c in communes if c.parent and c.parent.level == AdminUnit.Level.DISTRICT]
    for district, commune in pairs:
        batch = _batch(programme, province, district)
        if batch is None:
            if stock_at(province, programme=programme, usable_only=True) < PER_DISTRICT:
                continue
            batch = services.batch_dispatch(programme=programme, from_unit=province, to_unit=district, by=staff,
                                            count=PER_DISTRICT, number=1, at=BATCH1_AT,
                                            note="Bàn giao đợt 1 tại Sở Thông tin và Truyền thông")
        if batch.status == Batch.Status.DISPATCHED and district.name != NOT_YET_CONFIRMED:
            officer = _district_officer(district)
            missing = {}
            if district.name == MISSING_DISTRICT:
                lost = batch.lines.order_by("-device__imei").values_list("device_id", flat=True).first()
                missing = {lost: MISSING_REASON}
            batch = services.batch_receive(batch=batch, by=officer, missing=missing, at=DISTRICT_RECEIPT_AT)
        if batch.status != Batch.Status.RECEIVED:
            continue
        onward = _batch(programme, district, commune)
        if onward is None:
            count = stock_at(district, programme=programme, usable_only=True)
            if count:
                onward = services.batch_dispatch(programme=programme, from_unit=district, to_unit=commune,
                                                 by=_district_officer(district), count=count, number=1,
                                                 at=TO_COMMUNE_AT)
        if onward is not None and onward.status == Batch.Status.DISPATCHED:
            services.batch_receive(batch=onward, by=_commune_official(commune), at=COMMUNE_RECEIPT_AT)

    handed = _hand_out_in_con_minh(programme, communes)
    registered += _register_bought(programme, staff)
    _send_bought(programme, staff, pairs)
    _thai_nguyen_2026(stdout)
    if stdout:
        in_transit = Device.objects.filter(programme=programme, status=Device.Status.IN_TRANSIT).count()
        missing = Device.objects.filter(programme=programme, status=Device.Status.MISSING).count()
        stdout.write(_("Phân phối: %(devices)d máy (mới nhập %(registered)d), %(batches)d đợt, %(in_transit)d máy "
                       "đang chuyển, %(missing)d máy thất lạc, %(handouts)d lượt cấp phát (mới %(handed)d).") % {
            "devices": Device.objects.filter(programme=programme).count(), "registered": registered,
            "batches": Batch.objects.filter(programme=programme).count(), "in_transit": in_transit,
            "missing": missing, "handouts": Handout.objects.filter(programme=programme).count(),
            "handed": handed})


def _hand_out_in_con_minh(programme: Programme, communes: list[AdminUnit]) -> int:
    from django.db.models import Prefetch

    from beneficiaries.models import Person
    from beneficiaries.selectors import priority_list

    commune = next((c for c in communes if c.name == "Côn Minh"), None)
    if commune is None:
        return 0
    official = _commune_official(commune)
    done = Handout.objects.active().filter(programme=programme, commune=commune).count()
    if done >= HANDOUTS_IN_CON_MINH:
        return 0
    phones = list(Device.objects.filter(programme=programme).in_stock_at(commune).usable()
                  .order_by("imei").values_list("imei", flat=True)[: HANDOUTS_IN_CON_MINH - done])
    if not phones:
        return 0
    served = set(Handout.objects.active().filter(programme=programme).values_list("household_id", flat=True))
    # priority_list holds active households only; their head people come in one query.
    candidates = (priority_list(commune=commune, programme=programme).filter(priority_rank=1)
                  .prefetch_related(Prefetch("people", queryset=Person.objects.filter(is_active=True, is_head=True),
                                             to_attr="heads"))[:200])
    handed = 0
    for household in candidates:
        if handed == len(phones):
            break
        if household.pk in served:
            continue
        head = household.heads[0] if household.heads else None
        person = head if head and head.citizen_id else None
        citizen_id = (person.citizen_id if person else household.head_citizen_id) or ""
        if not citizen_id or check_id(citizen_id)[1]:
            continue
        if person and Handout.objects.active().filter(programme=programme, person=person).exists():
            continue
        services.handout_create(programme=programme, household=household, by=official, imei=phones[handed],
                                recipient_name=person.full_name if person else household.head_name,
                                recipient_citizen_id=citizen_id, handed_out_on=HANDOUT_ON, person=person)
        handed += 1
    return handed


TN_INTAKE_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
TN_BATCH_AT = datetime.datetime(2026, 3, 5, 8, 30, tzinfo=TZ)
TN_RECEIPT_AT = datetime.datetime(2026, 3, 5, 15, 0, tzinfo=TZ)
TN_PHONES = 40
TN_PER_COMMUNE = 10


def _thai_nguyen_2026(stdout=None) -> None:
    """Thái Nguyên 2026 (2025 units): 40 phones given in kind, batch 1 from the province straight
    to each target commune, confirmed by the communes (no district level any more)."""
    from donations.models import Donation, Donor
    from donations.services import donation_create, donor_create
    from phocap.programmes.demo import TN_PROGRAMME_NAME

    programme = Programme.objects.filter(name=TN_PROGRAMME_NAME).select_related("province").first()
    if programme is None:
        return
    province = programme.province
    staff = User.objects.get(username="demo_tn_tinh")
    donor = Donor.objects.filter(name="Viễn thông Thái Nguyên", unit=province).first() or donor_create(
        kind=Donor.Kind.ENTERPRISE, name="Viễn thông Thái Nguyên", unit=province, tax_code="4600000016")
    gift = Donation.objects.filter(programme=programme, receipt_number="BBGN-2026-001").first() or donation_create(
        programme=programme, donor=donor, unit=province, received_on=TN_INTAKE_AT.date(),
        receipt_number="BBGN-2026-001", phones_count=TN_PHONES, phone_model="Samsung Galaxy A06",
        phone_condition="new", phone_unit_value_vnd=2_000_000, by=staff)
    if not Device.objects.filter(source_donation=gift).exists():
        imeis = [luhn_complete(f"35619026{n:06d}") for n in range(1, TN_PHONES + 1)]
        services.devices_register(programme=programme, unit=province, imeis=imeis, by=staff, donation=gift,
                                  model="Samsung Galaxy A06", at=TN_INTAKE_AT)
    communes = list(AdminUnit.objects.filter(programme_targets__programme=programme).order_by("path"))
    for commune in communes:
        batch = _batch(programme, province, commune)
        if batch is None:
            batch = services.batch_dispatch(programme=programme, from_unit=province, to_unit=commune, by=staff,
                                            count=TN_PER_COMMUNE, number=1, at=TN_BATCH_AT,
                                            note="Bàn giao đợt 1 từ tỉnh thẳng xuống xã")
        if batch.status == Batch.Status.DISPATCHED:
            official = (User.objects.filter(username="demo_tn_xa").first() if commune.code == "02185"
                        else _officer(f"demo_tn_xa_{commune.code}", commune, Role.COMMUNE_OFFICIAL,
                                      f"Cán bộ {commune.full_name}"))
            services.batch_receive(batch=batch, by=official, at=TN_RECEIPT_AT)
    if stdout:
        stdout.write(_("Thái Nguyên 2026: %(devices)d máy, %(batches)d đợt tỉnh → xã.") % {
            "devices": Device.objects.filter(programme=programme).count(),
            "batches": Batch.objects.filter(programme=programme).count()})
