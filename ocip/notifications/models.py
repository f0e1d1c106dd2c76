from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something that happened and concerns one person: shown in the app, and emailed once.

    `message` is an English message id (marked with gettext_noop where it is written) and
    `params` its values, so the text is translated when shown, in the reader's language.
    `key` names the event, so recording it twice notifies once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120)
    message = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    url_name = models.CharField(max_length=80, blank=True)
    url_kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.user}"

    @property
    def text(self) -> str:
        """The message in the active language."""
        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):  # a stored message that lost a parameter
            return gettext(self.message)

    @property
    def path(self) -> str:
        """The page it points to, in the active language ('' if it no longer exists)."""
        if not self.url_name:
            return ""
        try:
            return reverse(self.url_name, kwargs=self.url_kwargs)
        except NoReverseMatch:
            return ""
