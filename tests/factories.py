"""factory-boy factories shared by every app's tests."""

import datetime

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


__all__ = ["TEST_PASSWORD", "Role", "make_unit", "member", "UserFactory", "ProgrammeFactory", "add_target"]
