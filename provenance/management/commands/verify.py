from django.core.management.base import BaseCommand

from provenance.verify import main


class Command(BaseCommand):
    help = "Verify an evidence bundle offline (same as `python -m provenance.verify`)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--trust", metavar="KEYS.json")

    def handle(self, *args, path, json, trust, **options):
        argv = [path, *(["--json"] if json else []), *(["--trust", trust] if trust else [])]
        status = main(argv)
        if status:
            raise SystemExit(status)
