"""`manage.py training_summary --org ORG --scan ID [--scan ID ...] --model NAME [--version V]
[--html OUT.html] [--json]`: the EU public summary of training content from scans."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from config.errors import ApplicationError
from legal.training_summary import organisation_training_summary, summary_html


class Command(BaseCommand):
    help = "Draft the EU public summary of training content (AI Act Art. 53(1)(d)) from training-data scans."

    def add_arguments(self, parser):
        # `--version` is the model's (design: --model NAME [--version V]), not Django's version
        # flag: let the later definition win.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("--org", required=True, help="the organisation that owns the scans")
        parser.add_argument("--scan", action="append", required=True, help="a scan id (repeatable)")
        parser.add_argument("--model", required=True, help="the model's name")
        parser.add_argument("--version", dest="model_version", help="the model version covered")
        parser.add_argument("--html", type=Path, help="also write the summary as an HTML page here")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON document")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['org']!r}")
        model = {"name": options["model"], "version": options["model_version"]}
        try:
            summary = organisation_training_summary(
                organisation=organisation, scan_ids=options["scan"], model=model
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.detail or ''}".strip()) from exc
        if options["html"]:
            options["html"].write_text(summary_html(summary), encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        sources = summary["sections"]["2_list_of_data_sources"]["scanned_content"]
        verdicts = ", ".join(f"{name} {count}" for name, count in sources["verdicts"].items())
        self.stdout.write(f"{sources['items']} item(s) scanned: {verdicts}")
        self.stdout.write(f"{len(summary['to_complete'])} field(s) for the provider to complete")
        if options["html"]:
            self.stdout.write(f"HTML: {options['html']}")
