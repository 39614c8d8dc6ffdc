from django.core.management.base import BaseCommand

from provenance.exports_index import exports_index_rebuild
from similarity.catalogue_index import index_rebuild
from similarity.models import Catalogue


class Command(BaseCommand):
    help = "Rebuild every catalogue's index file, and the exports index, from the database."

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", help="only catalogues of this name (and not the exports index)")

    def handle(self, *args, **options):
        catalogues = Catalogue.objects.all()
        if options["catalogue"]:
            catalogues = catalogues.filter(name=options["catalogue"])
        for catalogue in catalogues:
            index = index_rebuild(catalogue)
            self.stdout.write(f"{catalogue.organisation.slug}/{catalogue.name}: {len(index)} recordings")
        if not options["catalogue"]:
            index = exports_index_rebuild()
            self.stdout.write(f"exports: {len(index)} exports")
