import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from generation.models import Take
from generation.services import take_replay


class Command(BaseCommand):
    help = "Make a take again from its record and report whether the bytes match."

    def add_arguments(self, parser):
        parser.add_argument("--take", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        take = options["take"]
        try:
            target = Take.objects.select_related("work").get(pk=take)
        except (Take.DoesNotExist, ValidationError):
            raise CommandError(f"no take {take!r}") from None
        result = take_replay(take=target)
        if options["json"]:
            self.stdout.write(json.dumps(vars(result), indent=2))
        elif result.identical:
            self.stdout.write(
                f"identical: replayed take {take} has the recorded bytes ({result.replayed_sha256})"
            )
        else:
            where = "the same environment" if result.same_environment else "a different environment"
            self.stdout.write(
                f"different bytes on {where}: recorded {result.recorded_sha256}, "
                f"replayed {result.replayed_sha256}; audio similarity {result.similarity:.3f}"
            )
        if not result.identical:
            raise SystemExit(1)
