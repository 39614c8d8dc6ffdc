from django.db import transaction
from django.utils import timezone

from ops.models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, queue: str, hostname: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        queue=queue, hostname=hostname, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
