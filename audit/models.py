"""The inspector's workbook of a programme, built in the background (phocap.common.jobs)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from phocap.common.jobs import BackgroundJob


class InspectorJob(BackgroundJob):
    """Every record of a programme and its history, one .xlsx, for the one who asked."""

    UPLOAD_TO = "audit/inspector/%Y/%m/"
    BUILD_TASK = "audit.tasks.inspector_job_build_task"

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=gettext_lazy("chương trình"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=gettext_lazy("người yêu cầu"))

    class Meta(BackgroundJob.Meta):
        verbose_name = gettext_lazy("hồ sơ kiểm tra")
        verbose_name_plural = gettext_lazy("hồ sơ kiểm tra")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.programme_id} #{self.pk}"
