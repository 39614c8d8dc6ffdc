"""Writes of the creator's workflow: works, generation requests, takes, selections, edits
(exports: generation.exports). Each records its contribution event(s) in the same transaction.

torch is imported inside the functions that render, so the web process does not load it
until it has to.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Membership
from config.broker import broker_ensure
from config.errors import ConflictError, InvalidInputError
from generation.models import (
    Edit,
    GenerationRequest,
    RequestStatus,
    Selection,
    Take,
    TrainingUse,
    Work,
)
from provenance.models import ContributionEvent
from provenance.services import EventDraft, contribution_record, contribution_record_many
from similarity.services import output_check_record

AUDIO_OPERATIONS = ("trim", "fade", "gain")
logger = logging.getLogger(__name__)


class BackendUnavailableError(InvalidInputError):
    code = "backend_unavailable"


class EditNotPossibleError(InvalidInputError):
    code = "invalid_edit"


class TakeBlockedError(ConflictError):
    code = "take_blocked"
    default_message = "This take matched licensed recordings beyond the policy and cannot be exported."


@transaction.atomic
def work_create(
    *, organisation, title: str, created_by: Membership, training_use: str = TrainingUse.NOT_ALLOWED
) -> Work:
    work = Work(organisation=organisation, title=title, created_by=created_by.user, training_use=training_use)
    work.full_clean()
    work.save()
    contribution_record(
        work=work,
        kind="work.created",
        actor=created_by,
        payload={"title": title, "training_use": training_use},
    )
    return work


@transaction.atomic
def work_note_add(*, work: Work, text: str, author: Membership) -> ContributionEvent:
    """A creator's own account of human work done outside the pipeline (lyrics written by
    hand, an arrangement sketched on paper), recorded when it happens."""
    return contribution_record(work=work, kind="note", actor=author, payload={"text": text})


def _backend(name: str, spec=None):
    """The backend, checked against `spec` when given; its errors as domain errors (4xx)."""
    from generation.backends import BackendError, BackendUnavailable, get_backend

    try:
        backend = get_backend(name)
        if spec is not None:
            backend.check(spec)
    except BackendError as exc:
        raise InvalidInputError(str(exc), detail={"backend": name}) from None
    except BackendUnavailable as exc:
        raise BackendUnavailableError(str(exc), detail={"backend": name}) from None
    return backend


@transaction.atomic
def generation_request_create(
    *,
    work: Work,
    requested_by: Membership,
    prompt: str = "",
    lyrics: str = "",
    tags: list[str] | None = None,
    duration_s: float = 30.0,
    takes: int = 1,
    seed: int | None = None,
    backend: str = "builtin",
    queue: bool = True,
) -> GenerationRequest:
    """Validate, record the prompt and parameters, and queue the rendering (gpu queue).

    queue=False leaves the rendering to the caller (`generation_run`), as the CLI does.
    """
    from generation.backends import GenerationSpec

    if not 0 < duration_s <= settings.GENERATION_MAX_DURATION_S:
        raise InvalidInputError(f"duration_s must be in (0, {settings.GENERATION_MAX_DURATION_S}]")
    if not 1 <= takes <= settings.GENERATION_MAX_TAKES:
        raise InvalidInputError(f"takes must be in 1..{settings.GENERATION_MAX_TAKES}")
    seed = secrets.randbelow(2**31) if seed is None else seed
    tags = list(tags or [])
    spec = GenerationSpec(prompt, lyrics, tags, duration_s, seed, takes)
    _backend(backend, spec)
    request = GenerationRequest(
        work=work,
        requested_by=requested_by.user,
        backend=backend,
        prompt=prompt,
        lyrics=lyrics,
        tags=tags,
        duration_s=duration_s,
        seed=seed,
        takes=takes,
    )
    request.full_clean()
    request.save()
    parameters = {"backend": backend, "tags": tags, "duration_s": duration_s, "takes": takes, "seed": seed}
    contribution_record_many(
        work=work,
        drafts=[
            EventDraft(
                "prompt", {"request": str(request.id), "prompt": prompt, "lyrics": lyrics}, requested_by
            ),
            EventDraft("parameters", {"request": str(request.id), **parameters}, requested_by),
        ],
    )
    if queue:
        broker_ensure()
        # robust: the request is committed; a failed render is recorded on it for the client.
        transaction.on_commit(lambda: _queue_generation(request.id), robust=True)
    return request


@contextmanager
def _render_lease(request_id) -> Iterator[bool]:
    """Whether this process may render the request: a PostgreSQL session advisory lock, held
    while it renders. A worker that dies (SIGKILL, OOM) loses its connection and the lock with
    it, so the redelivered message takes the request over at once; a live one keeps it, so a
    second delivery meanwhile (a visibility timeout shorter than the render) leaves it alone.
    A RUNNING status alone cannot tell the two apart. SQLite, the embedded default, runs tasks
    eagerly in one process: nothing to lock against."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = int.from_bytes(uuid.UUID(str(request_id)).bytes[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        leased = cursor.fetchone()[0]
    try:
        yield leased
    finally:
        if leased:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                logger.warning("generation %s: lease not released; it ends with the connection", request_id)


def _queue_generation(request_id) -> None:
    from generation.tasks import generation_run

    generation_run.delay(str(request_id))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generation_run(*, request_id) -> GenerationRequest:
    """Render a queued request's takes, then store them and record the generation at once.

    Idempotent: a redelivered message for a finished request does nothing, and one for a
    request another live worker renders leaves it to that worker. Rendering runs outside any
    transaction; the takes, their files' rows and the event commit together.
    """
    with _render_lease(request_id) as leased:
        if not leased:  # a live worker is rendering it
            return GenerationRequest.objects.get(pk=request_id)
        return _generation_render(request_id)


def _generation_render(request_id) -> GenerationRequest:
    """generation_run's work, under the lease: RUNNING found here means its worker died."""
    from generation import runtime
    from generation.backends import GenerationSpec
    from generation.synth import wav_bytes

    with transaction.atomic():
        request = GenerationRequest.objects.select_for_update().select_related("work").get(pk=request_id)
        if request.status in (RequestStatus.DONE, RequestStatus.FAILED):
            return request
        request.status, request.started_at = RequestStatus.RUNNING, timezone.now()
        request.save(update_fields=["status", "started_at"])
    spec = GenerationSpec(
        request.prompt, request.lyrics, request.tags, request.duration_s, request.seed, request.takes
    )
    device = runtime.configure()
    started = time.perf_counter()
    try:
        backend = _backend(request.backend, spec)
        rendered = backend.generate(spec, device)
    except Exception as exc:
        _generation_failed(request, exc)
        raise
    elapsed = time.perf_counter() - started
    environment = runtime.environment(device) | {"backend": backend.name, "backend_version": backend.version}
    checks = _output_checks([r.audio for r in rendered], rendered[0].sample_rate, request.work)
    files = [wav_bytes(r.audio, r.sample_rate) for r in rendered]
    return _generation_store(request, rendered, files, checks, environment, elapsed)


def _output_checks(audios: list, rate: int, work: Work) -> list:
    """The takes' similarity checks against every catalogue (before any transaction opens)."""
    from similarity.services import output_checks_run

    return output_checks_run(audios=[a.numpy() for a in audios], rate=rate, organisation=work.organisation)


def _generation_store(
    request, rendered, files, checks, environment: dict, elapsed: float
) -> GenerationRequest:
    takes: list[Take] = []
    try:
        with transaction.atomic():
            return _generation_commit(request, rendered, files, checks, environment, elapsed, takes)
    except BaseException:
        # No row points at these files now; remove them rather than leave unrecorded audio.
        for take in takes:
            take.audio.delete(save=False)
        raise


def _generation_commit(
    request, rendered, files, checks, environment, elapsed, takes: list[Take]
) -> GenerationRequest:
    for index, (result, data) in enumerate(zip(rendered, files, strict=True)):
        take = Take(
            work=request.work,
            request=request,
            index=index,
            backend=request.backend,
            sha256=_sha256(data),
            duration_s=result.audio.shape[-1] / result.sample_rate,
            # Replay re-renders the whole batch (its takes share noise and length): say which.
            recipe=result.recipe | {"render": result.recipe["render"] | {"request": str(request.id)}},
            lyrics=request.lyrics,
            environment=environment,
        )
        take.audio.save(f"{take.id}.wav", ContentFile(data), save=False)
        takes.append(take)
        take.save()
    request.status = RequestStatus.DONE
    request.finished_at = timezone.now()
    request.save(update_fields=["status", "finished_at"])
    payload = {
        "request": str(request.id),
        "takes": [{"id": str(t.id), "sha256": t.sha256, "duration_s": round(t.duration_s, 3)} for t in takes],
        "environment": environment,
        "render_seconds": round(elapsed, 3),
    }
    contribution_record(work=request.work, kind="generation", actor=None, payload=payload)
    for take, check in zip(takes, checks, strict=True):
        output_check_record(take=take, result=check)
    return request


@transaction.atomic
def _generation_failed(request: GenerationRequest, exc: Exception) -> None:
    request.status = RequestStatus.FAILED
    request.error = f"{type(exc).__name__}: {exc}"[:2000]
    request.finished_at = timezone.now()
    request.save(update_fields=["status", "error", "finished_at"])
    contribution_record(
        work=request.work,
        kind="generation.failed",
        actor=None,
        payload={"request": str(request.id), "error": request.error},
    )


def _alternatives(take: Take) -> list[Take]:
    if take.request_id:
        return list(Take.objects.filter(request_id=take.request_id).exclude(pk=take.pk))
    if take.parent_id:
        return list(Take.objects.filter(parent_id=take.parent_id).exclude(pk=take.pk))
    return []


@transaction.atomic
def take_select(*, take: Take, selected_by: Membership) -> Selection:
    alternatives = [str(t.id) for t in _alternatives(take)]
    selection = Selection(work=take.work, take=take, alternatives=alternatives, selected_by=selected_by.user)
    selection.save()
    contribution_record(
        work=take.work,
        kind="selection",
        actor=selected_by,
        payload={"chosen": str(take.id), "alternatives": alternatives},
    )
    return selection


def take_audio(take: Take):
    """A take's audio as a [2, samples] tensor, read from its stored WAV."""
    from generation.synth import read_wav

    with take.audio.open("rb") as handle:
        audio, _ = read_wav(handle.read())
    return audio


def take_edit(*, take: Take, operation: str, parameters: dict[str, Any], edited_by: Membership) -> Take:
    """A new take made from `take` by one edit; the source is never changed."""
    from generation import audio as audio_ops
    from generation import runtime
    from generation.backends import BackendError
    from generation.synth import SAMPLE_RATE, quantized, wav_bytes

    device = runtime.configure()
    lyrics = take.lyrics
    try:
        if operation in AUDIO_OPERATIONS:
            op = {"op": operation, **parameters}
            recipe = take.recipe | {"post": [*take.recipe.get("post", []), op]}
            audio = audio_ops.apply(take_audio(take), op)
        elif operation == "lyrics":
            recipe, lyrics = dict(take.recipe), parameters["lyrics"]
            audio = take_audio(take)  # the builtin backend renders no voice: the audio is kept
        else:
            backend = _backend(take.backend)
            recipe = backend.edit(take.recipe, operation, parameters)
            if "continue" in recipe["render"]:  # continue from the stored take itself
                audio = quantized(
                    backend.continue_audio(take_audio(take), recipe["render"]["continue"], device)
                )
            else:
                audio = _render_recipe(backend, recipe, [], device)
    except (audio_ops.AudioEditError, BackendError) as exc:
        raise EditNotPossibleError(str(exc), detail={"operation": operation}) from None
    environment = runtime.environment(device) | {"backend": take.backend}
    result = Take(
        work=take.work,
        parent=take,
        backend=take.backend,
        duration_s=audio.shape[-1] / SAMPLE_RATE,
        recipe=recipe,
        lyrics=lyrics,
        environment=environment,
    )
    [check] = _output_checks([audio], SAMPLE_RATE, take.work)
    return _edit_store(result, operation, parameters, wav_bytes(audio), check, edited_by)


def _render_recipe(backend, recipe: dict, batch: list[dict], device):
    """The take's audio from its recipe, step by step as it was made: every edit of a stored
    take started from its 16-bit samples, so each step is quantised the same way."""
    from generation import audio as audio_ops
    from generation.synth import quantized

    how = recipe["render"]
    if "continue" in how:  # a continuation of the source take's own audio (musicgen extend)
        source = _render_recipe(backend, how["continue"]["source"], batch, device)
        rendered = quantized(backend.continue_audio(source, how["continue"], device))
    else:
        rendered = quantized(backend.render(recipe, batch, device).cpu())
    for op in recipe.get("post", []):
        rendered = quantized(audio_ops.apply(rendered, op))
    return rendered


def _edit_store(
    result: Take, operation: str, parameters: dict, data: bytes, check, edited_by: Membership
) -> Take:
    take = result.parent
    result.sha256 = _sha256(data)
    result.audio.save(f"{result.id}.wav", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            result.save()
            Edit.objects.create(
                work=take.work,
                source=take,
                result=result,
                operation=operation,
                parameters=parameters,
                edited_by=edited_by.user,
            )
            payload = {
                "operation": operation,
                "parameters": parameters,
                "source": str(take.id),
                "result": str(result.id),
                "sha256": result.sha256,
            }
            contribution_record(work=take.work, kind="edit", actor=edited_by, payload=payload)
            output_check_record(take=result, result=check)
    except BaseException:
        result.audio.delete(save=False)
        raise
    return result


@dataclass(frozen=True)
class ReplayResult:
    take: str
    recorded_sha256: str
    replayed_sha256: str
    identical: bool
    same_environment: bool
    similarity: float
    recorded_environment: dict
    replay_environment: dict


def take_replay(*, take: Take) -> ReplayResult:
    """Make the take again from its recipe and compare: bytes first, then how alike it sounds."""
    from generation import runtime
    from generation.backends import get_backend
    from generation.similarity import audio_similarity
    from generation.synth import wav_bytes

    device = runtime.configure()
    backend = get_backend(take.backend)
    batch = []
    if "request" in take.recipe["render"]:
        batch = [
            t.recipe
            for t in Take.objects.filter(request_id=take.recipe["render"]["request"]).order_by("index")
        ]
    replayed = _render_recipe(backend, take.recipe, batch, device)
    data = wav_bytes(replayed)
    digest = _sha256(data)
    current = runtime.environment(device)
    similarity = 1.0 if digest == take.sha256 else audio_similarity(take_audio(take), replayed)
    return ReplayResult(
        take=str(take.id),
        recorded_sha256=take.sha256,
        replayed_sha256=digest,
        identical=digest == take.sha256,
        same_environment=runtime.same_environment(take.environment, current),
        similarity=round(similarity, 4),
        recorded_environment=take.environment,
        replay_environment=current,
    )
