from django.core.management.base import BaseCommand

from similarity.catalogue_index import index_rebuild
from similarity.models import Catalogue


class Command(BaseCommand):
    help = "Rebuild every catalogue's index file from the fingerprints in the database."

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", help="only catalogues of this name")

    def handle(self, *args, **options):
        catalogues = Catalogue.objects.all()
        if options["catalogue"]:
            catalogues = catalogues.filter(name=options["catalogue"])
        for catalogue in catalogues:
            index = index_rebuild(catalogue)
            self.stdout.write(f"{catalogue.organisation.slug}/{catalogue.name}: {len(index)} recordings")
