"""The whole demo, as `make run` loads it: official units, the Bắc Kạn 2023 programme and
every app's data. Its figures are the seed articles' and it can be loaded twice."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from distribution.selectors import device_drift
from phocap.programmes.models import Programme
from programme_coverage.models import CoverageSummary
from programme_coverage.selectors import unit_figures
from tests.coverage.conftest import direct_figures, row_figures

pytestmark = pytest.mark.django_db(transaction=True)

# Rows that record *when* something ran, not what the demo holds.
VOLATILE = {"axes", "sessions", "admin", "authtoken", "contenttypes", "auth"}


def _counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label not in VOLATILE}


def test_demo_loads_the_seed_figures_and_twice_changes_nothing(client):
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == first

    assert first["areas.AdminUnit"] >= 63 + 696 + 10_051 + 34 + 3_321
    programme = Programme.objects.get(name__contains="Bắc Kạn 2023")
    assert programme.targets.count() == 8
    assert 3_900 <= programme.baseline_total <= 4_100

    from phocap.accounts.models import User

    client.force_login(User.objects.get(username="demo_tinh"))
    totals = client.get(f"/api/v1/programmes/{programme.pk}/totals/").json()
    assert totals["cash_received_vnd"] == 405_000_000
    assert totals["phones_in_kind"] == 176
    assert totals["donors"] == 76

    # Every phone is where its ledger says.
    assert device_drift() == []
    call_command("reconcile_devices")  # exits 1 (SystemExit) on any drift

    # Coverage rows agree with a direct count over the registry and the ledger.
    rows = CoverageSummary.objects.filter(programme=programme).select_related("commune")
    assert rows.exists()
    for row in rows:
        assert row_figures(row) == direct_figures(programme, row.commune), row.commune.name
    province = unit_figures(programme=programme, unit=programme.province)
    assert province["phones_handed_out"] > 0 and province["computed_at"] is not None

    # Thái Nguyên 2026 on the 2025 units continues it: province → commune batches, received.
    from distribution.models import Batch

    tn = Programme.objects.get(name__contains="Thái Nguyên 2026")
    assert (tn.scheme, tn.province.code, tn.status) == ("2025", "19", "active")
    assert tn.targets.count() == 4
    batches = Batch.objects.filter(programme=tn).select_related("from_unit", "to_unit")
    assert batches.count() == 4
    assert all(b.from_unit == tn.province and b.to_unit.parent_id == tn.province.pk and b.status == "received"
               for b in batches)
    client.force_login(User.objects.get(username="demo_tn_tinh"))
    assert client.get(reverse("programmes:detail", args=[tn.pk])).status_code == 200
    # Bắc Kạn 2023 seen under Thái Nguyên's communes.
    response = client.get(reverse("coverage:dashboard", args=[programme.pk, "2025", "19"]))
    assert response.status_code == 200
    assert sum(c["phones_handed_out"] for c in response.context["children"]) == province["phones_handed_out"]

    # The commune official logs in and sees their commune's dashboard.
    client.force_login(User.objects.get(username="demo_xa"))
    assert client.get(reverse("home")).status_code == 200
    # The system administrator of the README opens the admin with the published password.
    admin = User.objects.get(username="demo_admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("phocap-demo")
    client.force_login(admin)
    assert client.get("/admin/accounts/user/").status_code == 200
