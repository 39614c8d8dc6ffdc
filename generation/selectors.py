from django.db.models import Prefetch, QuerySet

from accounts.models import Organisation
from generation.models import Export, GenerationRequest, Take, Work


def work_list(*, organisation: Organisation) -> QuerySet[Work]:
    return Work.objects.filter(organisation=organisation).select_related("created_by")


def request_list(*, organisation: Organisation) -> QuerySet[GenerationRequest]:
    takes = Take.objects.select_related("output_check")
    return GenerationRequest.objects.filter(work__organisation=organisation).prefetch_related(
        Prefetch("results", queryset=takes)
    )


def take_list(*, organisation: Organisation) -> QuerySet[Take]:
    return Take.objects.filter(work__organisation=organisation).select_related("work", "output_check")


def export_list(*, organisation: Organisation) -> QuerySet[Export]:
    return Export.objects.filter(work__organisation=organisation)
