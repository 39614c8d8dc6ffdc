"""`manage.py ingest_catalogue --org ORG --catalogue NAME PATH [--json]`."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from config.errors import ApplicationError
from similarity.services import catalogue_get_or_create, catalogue_ingest, ingest_items


class Command(BaseCommand):
    help = "Fingerprint a folder of audio (recursively) or a CSV manifest into a catalogue."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the rights holder's slug")
        parser.add_argument("--catalogue", required=True, help="catalogue name (created when new)")
        parser.add_argument("path", type=Path)
        parser.add_argument("--training-allowed", action="store_true", help="for a new catalogue")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['org']!r}")
        if not options["path"].exists():
            raise CommandError(f"{options['path']} does not exist")
        try:
            catalogue = catalogue_get_or_create(
                organisation=organisation,
                name=options["catalogue"],
                training_allowed=options["training_allowed"],
            )
            items = ingest_items(options["path"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        report = catalogue_ingest(catalogue=catalogue, items=items, progress=self._progress)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        counts = f"{report.ingested} ingested, {report.skipped} skipped, {len(report.failed)} failed"
        self.stdout.write(f"{catalogue.name}: {counts}")
        for failure in report.failed:
            self.stdout.write(f"  failed {failure['path']}: {failure['error']}")

    @staticmethod
    def _progress(done: int, total: int) -> None:
        sys.stderr.write(f"\r{done}/{total} files")
        if done == total:
            sys.stderr.write("\n")
