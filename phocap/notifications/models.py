"""A notification to one user: shown in the app and e-mailed once.

`(user, key)` is unique: the key names the event ("batch_dispatched:42"), so a scan that
runs twice, or two workers running it at once, notify each user once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .kinds import TEXTS, param_text


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("người nhận"))
    kind = models.CharField(_("loại"), max_length=40)
    key = models.CharField(max_length=120)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        template = TEXTS.get(self.kind)
        if template is None:
            return self.kind
        try:
            return str(template) % {k: param_text(v) for k, v in self.params.items()}
        except (KeyError, TypeError, ValueError):
            return str(template)
