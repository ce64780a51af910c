"""factory-boy factories shared by every app's tests."""

import datetime
import itertools

import factory

from phocap.accounts.models import Membership, Role, User
from phocap.areas.models import AdminUnit
from phocap.common.text import fold
from phocap.programmes.models import Programme, ProgrammeCommune

TEST_PASSWORD = "phocap-test-pw"  # noqa: S105 - test users only

LEVEL_TYPES = {"province": "tỉnh", "district": "huyện", "commune": "xã", "village": "thôn"}


def make_unit(*, level: str, code: str, name: str, parent: AdminUnit | None = None,
              scheme: str = AdminUnit.Scheme.LEGACY, division_type: str | None = None) -> AdminUnit:
    """An administrative unit with its materialised path, as the loader would write it."""
    scheme = parent.scheme if parent else scheme
    division_type = division_type or LEVEL_TYPES[level]
    return AdminUnit.objects.create(
        scheme=scheme, level=level, code=code, name=name, full_name=f"{division_type.capitalize()} {name}",
        division_type=division_type, name_ascii=fold(name), parent=parent,
        path=AdminUnit.make_path(scheme, code, parent), depth=(parent.depth + 1) if parent else 0,
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Cán bộ"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def member(unit: AdminUnit, role: str, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Chương trình phổ cập ĐTTM {n}")
    scheme = factory.LazyAttribute(lambda o: o.province.scheme)
    start_date = datetime.date(2023, 8, 11)
    default_phone_price_vnd = 2_000_000


def add_target(programme: Programme, commune: AdminUnit, baseline: int = 500) -> ProgrammeCommune:
    return ProgrammeCommune.objects.create(programme=programme, commune=commune, baseline_adults=baseline)


def make_imei(n: int, series: int = 0) -> str:
    """A valid IMEI (Luhn check digit); tests that build phones side by side use
    different series so their numbers never meet."""
    from distribution.imeis import luhn_complete

    return luhn_complete(f"35{series}{n:011d}")


_household_seq = itertools.count(1)


def make_household(commune, name: str | None = None, *, rank: int, village=None, adults: int = 2,
                   without: int = 1, status: str = "active", people=()):
    """A household as an import leaves it, written through the ORM (no signals), with its
    `people` as (name, citizen ID) pairs, the first one the head."""
    from beneficiaries.models import Household, Person

    n = next(_household_seq)
    hh = Household.objects.create(commune=commune, village=village, code=f"HH{n:05d}",
                                  head_name=name or f"Nguyễn Văn Chủ {n}", members=max(adults, 1) + 1,
                                  adults=adults, adults_without_phone=without, status=status, priority_rank=rank)
    for i, (full_name, cid) in enumerate(people):
        Person.objects.create(household=hh, full_name=full_name, citizen_id=cid, id_kind="cccd" if cid else "",
                              is_head=(i == 0))
    return hh


def build_tree():
    """Bắc Kạn (legacy): Na Rì with Côn Minh and Kim Hỷ, Ba Bể with Thượng Giáo, villages;
    and a 2025 province (Thái Nguyên) with its own Côn Minh."""
    from types import SimpleNamespace

    bk = make_unit(level="province", code="06", name="Bắc Kạn")
    na_ri = make_unit(level="district", code="066", name="Na Rì", parent=bk)
    ba_be = make_unit(level="district", code="061", name="Ba Bể", parent=bk)
    con_minh = make_unit(level="commune", code="02071", name="Côn Minh", parent=na_ri)
    kim_hy = make_unit(level="commune", code="02065", name="Kim Hỷ", parent=na_ri)
    thuong_giao = make_unit(level="commune", code="01864", name="Thượng Giáo", parent=ba_be)
    ban_con = make_unit(level="village", code="02071.001", name="Bản Còn", parent=con_minh)
    na_phai = make_unit(level="village", code="02071.002", name="Nà Phai", parent=con_minh)
    tg_village = make_unit(level="village", code="01864.001", name="Pác Ngòi", parent=thuong_giao)
    tn = make_unit(level="province", code="19", name="Thái Nguyên", scheme="2025")
    tn_commune = make_unit(level="commune", code="06472", name="Côn Minh", parent=tn)
    return SimpleNamespace(bk=bk, na_ri=na_ri, ba_be=ba_be, con_minh=con_minh, kim_hy=kim_hy,
                           thuong_giao=thuong_giao, ban_con=ban_con, na_phai=na_phai,
                           tg_village=tg_village, tn=tn, tn_commune=tn_commune)


def build_mapping(tree):
    """The official conversion table for the small tree: Côn Minh → Thái Nguyên's Côn Minh
    (06472); Thượng Giáo → Chợ Rã (01912); Kim Hỷ split between Văn Lang (02080) and Côn
    Minh (06472)."""
    from types import SimpleNamespace

    from phocap.areas.models import UnitMapping

    cho_ra = make_unit(level="commune", code="01912", name="Chợ Rã", parent=tree.tn)
    van_lang = make_unit(level="commune", code="02080", name="Văn Lang", parent=tree.tn)
    for old, new in ((tree.con_minh, tree.tn_commune), (tree.thuong_giao, cho_ra),
                     (tree.kim_hy, van_lang), (tree.kim_hy, tree.tn_commune)):
        UnitMapping.objects.create(legacy_unit=old, new_unit=new)
    return SimpleNamespace(cho_ra=cho_ra, van_lang=van_lang, con_minh=tree.tn_commune)


def build_users(tree):
    """One user per role and area of `build_tree`."""
    from types import SimpleNamespace

    return SimpleNamespace(
        province=member(tree.bk, Role.PROVINCE_STAFF, "tinh"),
        district=member(tree.na_ri, Role.DISTRICT_OFFICER, "huyen_nari"),
        other_district=member(tree.ba_be, Role.DISTRICT_OFFICER, "huyen_babe"),
        commune=member(tree.con_minh, Role.COMMUNE_OFFICIAL, "xa_conminh"),
        other_commune=member(tree.thuong_giao, Role.COMMUNE_OFFICIAL, "xa_thuonggiao"),
        auditor=member(tree.bk, Role.AUDITOR, "kiemtra"),
        tn_staff=member(tree.tn, Role.PROVINCE_STAFF, "tinh_thainguyen"),
    )


def build_programme(tree):
    """The Bắc Kạn programme with targets Côn Minh (520) and Thượng Giáo (480)."""
    programme = ProgrammeFactory(province=tree.bk, name="Phổ cập ĐTTM Bắc Kạn 2023")
    add_target(programme, tree.con_minh, 520)
    add_target(programme, tree.thuong_giao, 480)
    return programme


__all__ = ["build_tree", "build_mapping", "build_users", "build_programme", "TEST_PASSWORD", "Role", "make_unit", "member",
           "UserFactory", "ProgrammeFactory", "add_target", "make_imei", "make_household"]


def make_procurement(programme: Programme, unit: AdminUnit, *, quantity: int, unit_price_vnd: int,
                     supplier: str = "Nhà cung cấp", purchased_on: datetime.date = datetime.date(2023, 9, 5)):
    """A purchase through the service, with a cash gift that pays for it (a purchase's
    cash allocations must sum to its amount: PostgreSQL checks it at commit)."""
    from donations import services
    from donations.models import Donor

    donor = Donor.objects.filter(name="Quỹ thử nghiệm").first() or services.donor_create(
        kind=Donor.Kind.OTHER, name="Quỹ thử nghiệm", unit=programme.province)
    services.donation_create(programme=programme, donor=donor, unit=programme.province,
                             received_on=datetime.date(2023, 8, 1), cash_vnd=unit_price_vnd * quantity,
                             cash_method="bank_transfer")
    return services.procurement_create(programme=programme, supplier=supplier, purchased_on=purchased_on,
                                       quantity=quantity, unit_price_vnd=unit_price_vnd, unit=unit)


def phones_to_commune(programme: Programme, *, imeis: list[str], path: list[AdminUnit], users_by_unit: dict,
                      procurement=None, donation=None) -> None:
    """Register phones at path[0] and pass them down the path, each batch confirmed by the
    receiving unit's officer (users_by_unit: unit pk → user)."""
    from distribution import services

    services.devices_register(programme=programme, unit=path[0], imeis=imeis, by=users_by_unit[path[0].pk],
                              procurement=procurement, donation=donation)
    for sender, receiver in zip(path, path[1:], strict=False):
        batch = services.batch_dispatch(programme=programme, from_unit=sender, to_unit=receiver,
                                        by=users_by_unit[sender.pk], imeis=imeis)
        services.batch_receive(batch=batch, by=users_by_unit[receiver.pk])
