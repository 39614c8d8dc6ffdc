from celery import shared_task

from provenance.services import log_integrate as log_integrate_service


@shared_task(name="provenance.tasks.log_integrate", acks_late=True)
def log_integrate() -> None:
    """Integrate every pending event (idempotent: a second run finds nothing to do)."""
    while log_integrate_service() is not None:
        pass
