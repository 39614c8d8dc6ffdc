"""`manage.py import_rights --org ORG PATH.csv|PATH.json [--skip-invalid] [--json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from config.errors import ApplicationError
from legal.imports import rights_import, rows_from_bytes


class Command(BaseCommand):
    help = (
        "Import parties, compositions and rights shares from CSV or JSON; nothing is imported "
        "when a row is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the rights-holder organisation")
        parser.add_argument("path", type=Path)
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows only")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['org']!r}")
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            rows = rows_from_bytes(path.read_bytes(), name=path.name)
            report = rights_import(organisation=organisation, rows=rows, skip_invalid=options["skip_invalid"])
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        document = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(document, indent=2))
        else:
            for error in document["errors"]:
                self.stdout.write(
                    f"row {error['row']} ({error['type']}) {error['field']}: "
                    f"{error['code']}: {error['message']}"
                )
            self.stdout.write(", ".join(f"{name} {count}" for name, count in document["imported"].items()))
        if report.errors and not options["skip_invalid"]:
            raise CommandError("invalid rows: nothing was imported", returncode=1)
