"""Every model in the admin opens for a superuser: lists, search and add forms."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_changelist_and_add_page_opens(client, tree, programme):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url, {"q": "Côn"} if model_admin.search_fields else {})
        assert response.status_code == 200, url
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add


def test_staff_without_permissions_cannot_manage_memberships(client, tree):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:accounts_membership_changelist")).status_code == 403


def _staff_with_all_permissions(unit, role):
    from django.contrib.auth.models import Permission

    from phocap.accounts.models import Membership

    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def test_staff_with_every_permission_still_cannot_grant_memberships(client, tree):
    from phocap.accounts.models import Role

    client.force_login(_staff_with_all_permissions(tree.na_ri, Role.DISTRICT_OFFICER))
    assert client.get(reverse("admin:accounts_membership_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_membership_add")).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_staff_admin_lists_are_scoped_to_their_units(client, tree, programme):
    from phocap.accounts.models import Role
    from tests.factories import ProgrammeFactory

    other = ProgrammeFactory(province=tree.tn, name="Phổ cập Thái Nguyên")
    client.force_login(_staff_with_all_permissions(tree.bk, Role.PROVINCE_STAFF))
    body = client.get(reverse("admin:programmes_programme_changelist")).content.decode()
    assert programme.name in body and other.name not in body
    assert client.get(reverse("admin:programmes_programme_change", args=[other.pk])).status_code == 302
