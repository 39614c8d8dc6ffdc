"""`manage.py generate --org ORG --prompt TEXT ...`: render takes now, print where they are."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Membership
from accounts.roles import Role
from config.errors import ApplicationError
from generation.models import RequestStatus, Work
from generation.services import generation_request_create, generation_run, work_create


class Command(BaseCommand):
    help = "Generate takes for a new (or given) work, recording every step, and print them."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--prompt", required=True)
        parser.add_argument("--lyrics", default="")
        parser.add_argument("--tags", nargs="*", default=[], help="e.g. pop sad bpm:96 key:a-minor")
        parser.add_argument("--seed", type=int)
        parser.add_argument("--takes", type=int, default=1)
        parser.add_argument("--duration", type=float, default=30.0, help="seconds")
        parser.add_argument("--backend", default="builtin")
        parser.add_argument("--user", help="the member generating (default: the organisation's first owner)")
        parser.add_argument("--work", help="add to this work instead of creating one")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        member = self._member(options["org"], options["user"])
        try:
            work = self._work(member, options)
            request = generation_request_create(
                work=work,
                requested_by=member,
                prompt=options["prompt"],
                lyrics=options["lyrics"],
                tags=options["tags"],
                duration_s=options["duration"],
                takes=options["takes"],
                seed=options["seed"],
                backend=options["backend"],
                queue=False,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        request = generation_run(request_id=request.id)
        if request.status != RequestStatus.DONE:
            raise CommandError(f"generation failed: {request.error}")
        takes = [
            {"id": str(t.id), "path": t.audio.path, "sha256": t.sha256, "duration_s": round(t.duration_s, 3)}
            for t in request.results.order_by("index")
        ]
        if options["json"]:
            self.stdout.write(
                json.dumps({"work": str(work.id), "request": str(request.id), "takes": takes}, indent=2)
            )
            return
        self.stdout.write(f"work {work.id}, request {request.id} (seed {request.seed})")
        for take in takes:
            self.stdout.write(f"  take {take['id']}  {take['duration_s']:6.1f} s  {take['path']}")

    @staticmethod
    def _member(org: str, username: str | None) -> Membership:
        members = Membership.objects.select_related("user", "organisation").filter(organisation__slug=org)
        member = (
            members.filter(user__username=username).first()
            if username
            else members.filter(role=Role.OWNER).first()
        )
        if member is None:
            raise CommandError(
                f"no member {username!r} in {org!r}" if username else f"no organisation {org!r} with an owner"
            )
        return member

    @staticmethod
    def _work(member: Membership, options) -> Work:
        if options["work"] is None:
            return work_create(
                organisation=member.organisation,
                title=options["prompt"][:200] or "Untitled",
                created_by=member,
            )
        work = Work.objects.filter(organisation=member.organisation, pk=options["work"]).first()
        if work is None:
            raise CommandError(f"no work {options['work']} in {member.organisation.slug}")
        return work
