from django.db.models import QuerySet

from accounts.models import Organisation
from similarity.models import Catalogue


def catalogue_list(*, organisation: Organisation) -> QuerySet[Catalogue]:
    return Catalogue.objects.filter(organisation=organisation)
