"""Two merges of the same commune at once (real row locks: PostgreSQL only)."""

import functools

import pytest

from beneficiaries import services
from beneficiaries.models import Household, ImportJob, Person
from tests.beneficiaries import corpus
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_confirmed_uploads_of_the_same_list_import_it_once(tree):
    jobs = []
    for _ in range(2):
        job = services.import_job_create(commune=tree.con_minh, data=corpus.two_bad_rows_fixed(),
                                         filename="ds.xlsx", queue=False)
        job = services.import_job_validate(job_id=job.pk)
        services.import_job_confirm(job=job, queue=False)
        jobs.append(job)
    results = run_together(*(functools.partial(services.import_job_merge, job_id=j.pk) for j in jobs))
    assert not [r for r in results if isinstance(r, Exception)], results
    # The second merge waited for the commune lock, saw the registry had changed since
    # its review, re-resolved: nothing new to write.
    assert Household.objects.filter(commune=tree.con_minh).count() == 4
    assert Person.objects.count() == 4
    statuses = sorted(ImportJob.objects.values_list("status", flat=True))
    assert statuses == ["merged", "merged"]
    assert sorted(ImportJob.objects.values_list("created_count", flat=True)) == [0, 4]
