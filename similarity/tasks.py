from celery import shared_task

from config.celery import app
from similarity.ingestion import ingestion_process_chunk
from similarity.scans import scan_process_chunk


def _chunked(process_chunk, task, job_id: str) -> None:
    """One chunk, then the next as a new message: a lost worker costs one chunk, redelivered.
    Run eagerly (no workers), it loops instead of nesting one call per chunk."""
    while process_chunk(job_id):
        if not app.conf.task_always_eager:
            task.delay(job_id)
            return


@shared_task(name="similarity.tasks.scan_process", acks_late=True)
def scan_process(scan_id: str) -> None:
    _chunked(lambda job: scan_process_chunk(scan_id=job), scan_process, scan_id)


@shared_task(name="similarity.tasks.ingestion_process", acks_late=True)
def ingestion_process(ingestion_id: str) -> None:
    _chunked(lambda job: ingestion_process_chunk(ingestion_id=job), ingestion_process, ingestion_id)
