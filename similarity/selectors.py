from django.db.models import QuerySet

from accounts.models import Organisation
from similarity.models import Catalogue, Scan


def catalogue_list(*, organisation: Organisation) -> QuerySet[Catalogue]:
    return Catalogue.objects.filter(organisation=organisation)


def scan_list(*, organisation: Organisation) -> QuerySet[Scan]:
    return Scan.objects.filter(organisation=organisation)
