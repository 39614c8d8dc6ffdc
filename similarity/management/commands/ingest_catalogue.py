"""`manage.py ingest_catalogue --org ORG --catalogue NAME PATH [--json] [--queue]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Organisation
from config.errors import ApplicationError
from similarity.ingestion import ingestion_create, ingestion_report, ingestion_run
from similarity.services import catalogue_get_or_create, ingest_items


class Command(BaseCommand):
    help = "Fingerprint a folder of audio (recursively) or a CSV manifest into a catalogue."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the rights holder's slug")
        parser.add_argument("--catalogue", required=True, help="catalogue name (created when new)")
        parser.add_argument("path", type=Path)
        parser.add_argument("--training-allowed", action="store_true", help="for a new catalogue")
        parser.add_argument(
            "--queue", action="store_true", help="hand the work to Celery workers and print its id"
        )
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
        ingestion = ingestion_create(
            catalogue=catalogue, source=str(options["path"]), items=items, queue=options["queue"]
        )
        if options["queue"]:
            self.stdout.write(f"ingestion {ingestion.id} queued: {len(items)} files")
            return
        with tqdm(total=len(items), unit="file", disable=None) as bar:
            ingestion = ingestion_run(
                ingestion_id=ingestion.id, progress=lambda done, _: bar.update(done - bar.n)
            )
        report = ingestion_report(ingestion)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        counts = f"{report['ingested']} ingested, {report['skipped']} skipped, {len(report['failed'])} failed"
        self.stdout.write(f"{catalogue.name}: {counts}")
        for failure in report["failed"]:
            self.stdout.write(f"  failed {failure['path']}: {failure['error']}")
