import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organisation


class Work(models.Model):
    """A song in the making: everything generated, chosen and edited for it is recorded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a work's record is evidence; deleting its organisation must not erase it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="works")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title
