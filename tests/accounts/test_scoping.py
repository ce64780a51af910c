import pytest

from phocap.accounts.models import Role
from phocap.accounts.scoping import can_access_unit, can_write_unit, is_officer_of, scope_queryset
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_district_officer_sees_own_district_subtree_only(tree, users):
    visible = set(scope_queryset(AdminUnit.objects.all(), users.district, unit_field=""))
    assert tree.na_ri in visible and tree.con_minh in visible and tree.ban_con in visible
    assert tree.ba_be not in visible and tree.thuong_giao not in visible
    assert tree.bk not in visible  # covering a district does not cover its province


def test_user_without_membership_sees_nothing(tree):
    nobody = UserFactory()
    assert not scope_queryset(AdminUnit.objects.all(), nobody, unit_field="").exists()
    assert not Programme.objects.for_user(nobody).exists()


def test_superuser_sees_everything(tree):
    root = UserFactory(is_superuser=True)
    assert scope_queryset(AdminUnit.objects.all(), root, unit_field="").count() == AdminUnit.objects.count()


def test_auditor_reads_but_cannot_write(tree, users):
    assert can_access_unit(users.auditor, tree.con_minh)
    assert not can_write_unit(users.auditor, tree.con_minh)
    assert can_write_unit(users.commune, tree.con_minh)
    assert not can_write_unit(users.commune, tree.thuong_giao)


def test_programme_visible_to_everyone_working_in_its_province(programme, users):
    for user in (users.province, users.district, users.commune, users.auditor):
        assert list(Programme.objects.for_user(user)) == [programme]
    assert not Programme.objects.for_user(users.tn_staff).exists()


def test_role_filter_limits_scope(tree, users):
    both = users.district
    from phocap.accounts.models import Membership

    Membership.objects.create(user=both, unit=tree.thuong_giao, role=Role.AUDITOR)
    from phocap.accounts.scoping import forget

    forget(both)
    assert can_access_unit(both, tree.thuong_giao)
    assert not can_write_unit(both, tree.thuong_giao)
    assert can_write_unit(both, tree.con_minh)


def test_officer_of_a_unit_means_a_membership_at_that_unit_itself(tree, users):
    assert is_officer_of(users.district, tree.na_ri)
    assert not is_officer_of(users.district, tree.con_minh)  # covers it, but is not its officer
    assert not is_officer_of(users.province, tree.na_ri)
    assert is_officer_of(users.commune, tree.con_minh, roles=[Role.COMMUNE_OFFICIAL])
    assert not is_officer_of(users.district, tree.na_ri, roles=[Role.COMMUNE_OFFICIAL])
    assert not is_officer_of(users.auditor, tree.bk, roles=[Role.AUDITOR])  # auditors never act
    users.district.is_active = False
    assert not is_officer_of(users.district, tree.na_ri)
    assert is_officer_of(UserFactory(is_superuser=True), tree.na_ri)
