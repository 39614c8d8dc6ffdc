"""Writes for works; each one records its contribution event in the same transaction."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership
from generation.models import Work
from provenance.models import ContributionEvent
from provenance.services import contribution_record


@transaction.atomic
def work_create(*, organisation, title: str, created_by: Membership) -> Work:
    work = Work(organisation=organisation, title=title, created_by=created_by.user)
    work.full_clean()
    work.save()
    contribution_record(work=work, kind="work.created", actor=created_by, payload={"title": title})
    return work


@transaction.atomic
def work_note_add(*, work: Work, text: str, author: Membership) -> ContributionEvent:
    """A creator's own account of human work done outside the pipeline (lyrics written by
    hand, an arrangement sketched on paper), recorded when it happens."""
    return contribution_record(work=work, kind="note", actor=author, payload={"text": text})
