from django.db.models import QuerySet

from accounts.models import Organisation
from generation.models import Work


def work_list(*, organisation: Organisation) -> QuerySet[Work]:
    return Work.objects.filter(organisation=organisation).select_related("created_by")
