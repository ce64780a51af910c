from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .models import ExportJob


@login_required
def job_detail(request, pk):
    # A user's own export only: its rows were scoped to them.
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    return render(request, "exports/job_detail.html", {"job": job})


@login_required
def job_download(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, status=ExportJob.Status.DONE)
    if not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
