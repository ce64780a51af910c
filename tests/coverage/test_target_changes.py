import pytest

from phocap.programmes.services import programme_set_target
from programme_coverage.models import CoverageSummary
from programme_coverage.services import coverage_rebuild_programme

pytestmark = pytest.mark.django_db


def test_changing_a_baseline_rebuilds_that_communes_row(programme, tree, django_capture_on_commit_callbacks):
    coverage_rebuild_programme(programme=programme)
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert row.baseline_adults == 520
    with django_capture_on_commit_callbacks(execute=True):
        programme_set_target(programme=programme, commune=tree.con_minh, baseline_adults=600)
    row.refresh_from_db()
    assert row.baseline_adults == 600
