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
