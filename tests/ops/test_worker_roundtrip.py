import time

import pytest

from ops.models import WorkerHeartbeat
from ops.tasks import worker_heartbeat

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_for_heartbeat(queue: str, hostname: str, timeout_s: float = 30) -> WorkerHeartbeat:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        heartbeat = WorkerHeartbeat.objects.filter(queue=queue, hostname=hostname).first()
        if heartbeat is not None:
            return heartbeat
        time.sleep(0.2)
    raise AssertionError(f"no heartbeat from {hostname} on {queue} within {timeout_s}s")


@pytest.mark.parametrize("queue", ["default", "gpu"])
def test_task_round_trips_through_redis_to_a_worker_that_writes_postgresql(live_worker, queue):
    worker_heartbeat.apply_async(queue=queue)

    heartbeat = _wait_for_heartbeat(queue, live_worker.name)

    assert heartbeat.queue == queue
    assert heartbeat.hostname == live_worker.name


def test_health_reports_the_broker_and_the_live_worker(live_worker, anonymous):
    worker_heartbeat.apply_async(queue="default")
    _wait_for_heartbeat("default", live_worker.name)

    response = anonymous.get("/api/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == {"ok": True, "detail": "postgresql"}
    assert body["checks"]["broker"]["ok"] is True
    assert body["workers"]["default"]["hostname"] == live_worker.name
    assert body["workers"]["default"]["fresh"] is True
