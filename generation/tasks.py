from celery import shared_task

from generation.services import generation_run as generation_run_service


@shared_task(name="generation.tasks.generation_run", acks_late=True)
def generation_run(request_id: str) -> None:
    """Runs on the gpu queue; a redelivered message for a finished request does nothing."""
    generation_run_service(request_id=request_id)
