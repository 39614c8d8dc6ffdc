"""`manage.py royalty_statement --licence ID --revenue-minor N --currency EUR --from YYYY-MM-DD
--to YYYY-MM-DD [--usage usage.csv] [--format json|csv|html] [--out FILE]`."""

import datetime
import json
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ApplicationError
from legal.models import Licence
from legal.statements import royalty_statement_create, statement_render


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Compute a licence's royalty statement for a period from the licensee's net revenue (and "
        "a usage CSV; without one, usage is derived from output checks), keep it and print it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--licence", required=True, help="the licence's id")
        parser.add_argument("--revenue-minor", required=True, type=int, help="net revenue, minor units")
        parser.add_argument("--currency", required=True)
        parser.add_argument("--from", dest="period_start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="period_end", required=True, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--usage", type=Path, help="usage CSV: recording_id (id or ISRC),kind,...")
        parser.add_argument("--format", choices=("json", "csv", "html"), default="json")
        parser.add_argument("--out", type=Path, help="write here instead of stdout")

    def handle(self, *args, **options):
        try:
            licence = Licence.objects.select_related("licensee").get(id=uuid.UUID(options["licence"]))
        except (ValueError, Licence.DoesNotExist):
            raise CommandError(f"no licence {options['licence']!r}") from None
        usage: Path | None = options["usage"]
        if usage is not None and not usage.is_file():
            raise CommandError(f"{usage} is not a file")
        try:
            entry = royalty_statement_create(
                licence=licence,
                revenue_minor=options["revenue_minor"],
                currency=options["currency"],
                period_start=_date(options["period_start"]),
                period_end=_date(options["period_end"]),
                usage_csv=usage.read_bytes() if usage is not None else None,
            )
        except ApplicationError as exc:
            detail = f" {json.dumps(exc.detail, default=str)}" if exc.detail else ""
            raise CommandError(f"{exc.code}: {exc.message}{detail}") from exc
        if options["format"] == "json":
            text = json.dumps(entry.document, indent=2, ensure_ascii=False) + "\n"
        else:
            text = statement_render(entry, options["format"])
        if options["out"] is not None:
            options["out"].write_text(text, encoding="utf-8")
            self.stderr.write(f"statement {entry.id} written to {options['out']}")
        else:
            self.stdout.write(text, ending="")
