import uuid

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a worker answered on a queue (one row per queue and worker)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    queue = models.CharField(max_length=64)
    hostname = models.CharField(max_length=255)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["queue", "-seen_at"]
        constraints = [models.UniqueConstraint(fields=["queue", "hostname"], name="heartbeat_unique_worker")]

    def __str__(self) -> str:
        return f"{self.hostname} on {self.queue} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
