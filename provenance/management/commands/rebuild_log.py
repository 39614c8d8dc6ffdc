"""`manage.py rebuild_log [--check] [--json]`."""

import json as json_module

from django.core.management.base import BaseCommand

from provenance.log_rebuild import log_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the log's Merkle nodes from the events, insert those missing (after a restore "
        "from a backup without them), and check every checkpoint's root and signature. Exit 1 "
        "when anything does not hold; stored rows are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only compare; write nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, check, json: bool, **options):
        report = log_rebuild(write=not check)
        if json:
            self.stdout.write(json_module.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(
                f"log of {report.tree_size} leaves, root {report.root_hash}: "
                f"{report.nodes_computed} nodes computed, {report.nodes_missing} missing, "
                f"{report.nodes_inserted} inserted; {report.checkpoints_checked} checkpoints checked"
            )
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
        if not report.ok:
            raise SystemExit(1)
