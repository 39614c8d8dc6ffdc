import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ops.demo import DemoError, run_journey


class Command(BaseCommand):
    help = "Run the song's journey end to end on the configured services and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(self, *args, **options):
        as_json = options["json"]
        call_command("migrate", interactive=False, verbosity=0)
        say = self.stderr.write if as_json else self.stdout.write
        try:
            summary = run_journey(say)
        except DemoError as exc:
            raise CommandError(f"the demo journey failed: {exc}") from exc
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2, sort_keys=True))
        else:
            self.stdout.write(
                f"\nTry the API: curl -H 'Authorization: Bearer {summary['token']['token']}' "
                "http://127.0.0.1:8000/api/me/   (after `make run`)\n"
            )
