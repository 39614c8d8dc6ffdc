from celery import shared_task

from config.celery import app
from similarity.scans import scan_process_chunk


@shared_task(name="similarity.tasks.scan_process", acks_late=True)
def scan_process(scan_id: str) -> None:
    """One chunk, then the next as a new message: a lost worker costs one chunk, redelivered.
    Run eagerly (no workers), it loops instead of nesting one call per chunk."""
    while scan_process_chunk(scan_id=scan_id):
        if not app.conf.task_always_eager:
            scan_process.delay(scan_id)
            return
