"""`manage.py match PATH [PATH ...] [--org ORG] [--catalogue NAME] --json`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from similarity.fingerprint import AudioError
from similarity.models import Catalogue
from similarity.services import match_audio


class Command(BaseCommand):
    help = "Find where audio files match the catalogues' recordings (every catalogue by default)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--org", help="only this organisation's catalogues")
        parser.add_argument("--catalogue", help="only the catalogue of this name")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        catalogues = Catalogue.objects.all()
        if options["org"]:
            catalogues = catalogues.filter(organisation__slug=options["org"])
        if options["catalogue"]:
            catalogues = catalogues.filter(name=options["catalogue"])
        if not catalogues.exists():
            raise CommandError("no catalogue to search (check --org and --catalogue)")
        results, failed = [], False
        for path in options["paths"]:
            try:
                report = match_audio(data=path.read_bytes(), catalogues=catalogues)
            except (OSError, AudioError) as exc:
                self.stderr.write(f"{path}: {getattr(exc, 'strerror', None) or exc}")
                failed = True
                continue
            results.append({"path": str(path), "duration_s": report.duration_s, "matches": report.matches})
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            for result in results:
                best = result["matches"][0] if result["matches"] else None
                found = (
                    f"{best['title'] or best['source_path']} ({best['score']:.2f})" if best else "no match"
                )
                self.stdout.write(f"{result['path']}: {found}")
        if failed:
            raise CommandError("some files could not be read as audio")
