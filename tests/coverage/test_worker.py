"""A rebuild queued to the real Celery worker (CI: Redis broker, same PostgreSQL test
database) runs there and leaves exact rows, also when it runs twice."""

import time

import pytest

from programme_coverage import tasks
from programme_coverage.models import CoverageSummary
from tests.coverage.conftest import direct_figures, row_figures
from tests.factories import make_household

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_S = 30


def wait_until_exact(programme, *, since=None) -> None:
    """Poll the database (bounded) until every commune row matches a direct count."""
    deadline = time.monotonic() + WAIT_S
    while True:
        rows = list(CoverageSummary.objects.filter(programme=programme).select_related("commune"))
        fresh = rows and (since is None or all(r.computed_at > since for r in rows))
        if fresh and all(row_figures(r) == direct_figures(programme, r.commune) for r in rows):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker did not leave exact rows within {WAIT_S} s: "
                                 f"{[(r.commune.name, row_figures(r)) for r in rows]}")
        time.sleep(0.2)


def test_rebuild_runs_on_the_worker_and_is_exact_twice(programme, registry, tree, make_handout):
    tasks.coverage_rebuild_programme_task.delay(programme.pk)
    wait_until_exact(programme)
    assert CoverageSummary.objects.filter(programme=programme).count() == 3
    first = max(CoverageSummary.objects.filter(programme=programme).values_list("computed_at", flat=True))

    # More data, then the same rebuild queued twice: still exact, nothing doubled.
    make_handout(make_household(tree.kim_hy, rank=1))
    tasks.coverage_rebuild_programme_task.delay(programme.pk)
    tasks.coverage_rebuild_programme_task.delay(programme.pk)
    wait_until_exact(programme, since=first)
    assert CoverageSummary.objects.get(programme=programme, commune=tree.kim_hy).phones_handed_out == 1


def test_commune_rebuild_runs_on_the_worker(programme, registry, tree):
    tasks.coverage_rebuild_commune_task.delay(tree.con_minh.pk)
    deadline = time.monotonic() + WAIT_S
    while not CoverageSummary.objects.filter(programme=programme, commune=tree.con_minh).exists():
        assert time.monotonic() < deadline, "the worker did not rebuild Côn Minh"
        time.sleep(0.2)
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert row_figures(row) == direct_figures(programme, tree.con_minh)
