import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from provenance.compliance import label_report, label_report_csv


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Label compliance of every export of an organisation's works in a period."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--from", dest="date_from", type=_date, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--to", dest="date_to", type=_date, help="YYYY-MM-DD (inclusive)")
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true")
        output.add_argument("--csv", action="store_true")

    def handle(self, *args, org, date_from, date_to, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"no organisation {org!r}")
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from must not be after --to")
        report = label_report(organisation=organisation, date_from=date_from, date_to=date_to)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        elif options["csv"]:
            self.stdout.write(label_report_csv(report), ending="")
        else:
            for row in report["rows"]:
                verdict = "OK  " if row["compliant"] else "FAIL"
                reasons = f" ({', '.join(row['reasons'])})" if row["reasons"] else ""
                when = row["created_at"][:10]
                self.stdout.write(f"{verdict}  {when}  {row['export']}  {row['title']}{reasons}")
            self.stdout.write(f"{report['compliant']} of {report['exports']} exports compliant")
