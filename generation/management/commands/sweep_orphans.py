import json

from django.core.management.base import BaseCommand, CommandError

from generation.media import DEFAULT_GRACE_S, orphans_find, orphans_sweep


class Command(BaseCommand):
    help = (
        "Delete take and export files that no row names (left by a crash before their commit), "
        "then rebuild the exports index."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_GRACE_S,
            metavar="SECONDS",
            help=f"leave files younger than this (default {DEFAULT_GRACE_S}: a transaction may be open)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list them, delete nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than cannot be negative")
        sweep = orphans_find if options["dry_run"] else orphans_sweep
        orphans = sweep(grace_s=options["older_than"])
        if options["json"]:
            rows = [{"path": str(o.path), "bytes": o.size, "age_s": o.age_s} for o in orphans]
            self.stdout.write(json.dumps({"deleted": not options["dry_run"], "orphans": rows}))
            return
        verb = "would delete" if options["dry_run"] else "deleted"
        for orphan in orphans:
            self.stdout.write(f"{verb} {orphan.path} ({orphan.size} bytes)")
        self.stdout.write(f"{len(orphans)} orphan file(s) {verb}")
