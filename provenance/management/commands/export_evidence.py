from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from generation.models import Work
from provenance.evidence import evidence_bundle_build


class Command(BaseCommand):
    help = "Write a work's evidence bundle (zip) for offline verification."

    def add_arguments(self, parser):
        parser.add_argument("--work", required=True, help="work id")
        parser.add_argument("--out", required=True, type=Path, help="FILE.zip to write")

    def handle(self, *args, work, out, **options):
        try:
            target = Work.objects.select_related("organisation").get(pk=work)
        except (Work.DoesNotExist, ValidationError):
            raise CommandError(f"no work {work!r}") from None
        if not target.events.exists():
            raise CommandError(f"work {work} has no recorded events")
        data = evidence_bundle_build(work=target)
        # Write beside the target, then rename: a crash never leaves half a bundle at --out.
        partial = out.with_name(out.name + ".partial")
        try:
            partial.write_bytes(data)
            partial.replace(out)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"cannot write {out}: {exc.strerror}") from exc
        self.stdout.write(f"wrote {out} ({len(data)} bytes)")
