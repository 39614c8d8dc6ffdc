import socket

from celery import shared_task

from ops.services import heartbeat_record


@shared_task(bind=True, name="ops.tasks.worker_heartbeat")
def worker_heartbeat(self) -> None:
    """Scheduled on every queue by beat; the rows tell /api/health/ which queues are served."""
    delivery = self.request.delivery_info or {}
    heartbeat_record(
        queue=delivery.get("routing_key") or "eager",
        hostname=self.request.hostname or socket.gethostname(),
    )
