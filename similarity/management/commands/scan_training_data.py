"""`manage.py scan_training_data --org ORG PATH [--json]`: a dataset against every catalogue."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from config.errors import ApplicationError
from similarity.scans import scan_counts, scan_create, scan_rows, scan_run
from similarity.services import ingest_items


class Command(BaseCommand):
    help = "Scan a dataset (folder or CSV manifest) for licensed, unlicensed and opted-out recordings."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation that owns the scan")
        parser.add_argument("path", type=Path)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['org']!r}")
        if not options["path"].exists():
            raise CommandError(f"{options['path']} does not exist")
        try:
            items = ingest_items(options["path"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        scan = scan_create(organisation=organisation, source=str(options["path"]), items=items, queue=False)
        scan = scan_run(scan_id=scan.id)
        rows, counts = scan_rows(scan), scan_counts(scan)
        if options["json"]:
            document = {"scan": str(scan.id), "counts": counts, "items": rows}
            self.stdout.write(json.dumps(document, indent=2))
            return
        for row in rows:
            verdict = row["verdict"] or f"failed: {row['error']}"
            self.stdout.write(f"{row['path']}: {verdict} {row['best_match']}".rstrip())
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
