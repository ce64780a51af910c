import pytest

from beneficiaries import services
from beneficiaries.samples import household_rows, xlsx_bytes


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_import():
    """run_import(commune, data, filename=..., skip_invalid=False, confirm=True) → job,
    through the same services as the web flow (tasks run eagerly)."""

    def _run(commune, data, *, filename="ds.xlsx", by=None, skip_invalid=False, confirm=True):
        job = services.import_job_create(commune=commune, data=data, filename=filename, by=by, queue=False)
        job = services.import_job_validate(job_id=job.pk)
        if confirm and job.status == job.Status.VALIDATED:
            services.import_job_confirm(job=job, by=by, skip_invalid=skip_invalid, queue=False)
            job = services.import_job_merge(job_id=job.pk)
        return job

    return _run


@pytest.fixture
def sample_file():
    def _make(n=5, **kwargs):
        kwargs.setdefault("villages", ["Bản Còn", "Nà Phai", "Khuổi Luông"])
        return xlsx_bytes(household_rows(n, **kwargs))

    return _make
