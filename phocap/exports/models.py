from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phocap.common.jobs import BackgroundJob


class ExportJob(BackgroundJob):
    """A large export built by a Celery task, downloadable by the user who asked for it
    (phocap.common.jobs: status, progress, lease, recovery)."""

    UPLOAD_TO = "exports/%Y/%m/"
    BUILD_TASK = "phocap.exports.tasks.export_job_build_task"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("người yêu cầu"))
    key = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)   # the page's query string, as lists
    fmt = models.CharField(max_length=4, choices=[("xlsx", "xlsx"), ("csv", "csv")])

    class Meta(BackgroundJob.Meta):
        verbose_name = _("lượt xuất dữ liệu")
        verbose_name_plural = _("lượt xuất dữ liệu")
        ordering = ["-pk"]
        constraints = [
            *BackgroundJob.Meta.constraints,
            models.CheckConstraint(condition=Q(fmt__in=["xlsx", "csv"]), name="exportjob_fmt_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.key} #{self.pk}"
