"""Print a new API token for a member: `manage.py issue_token --org SLUG --user NAME`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Membership, Organisation
from accounts.roles import OrganisationKind, Role
from accounts.services import membership_create, organisation_create, token_issue


class Command(BaseCommand):
    help = "Issue an API token for a user in an organisation; the token is printed once, on stdout."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument(
            "--role", choices=Role.values, help=f"role when creating the membership (default {Role.OWNER})"
        )
        parser.add_argument(
            "--create", action="store_true", help="create the organisation, user and membership if missing"
        )
        parser.add_argument("--org-name", help="name of a new organisation (default: the slug)")
        parser.add_argument(
            "--org-kind", choices=OrganisationKind.values, default=OrganisationKind.CREATOR_STUDIO
        )
        parser.add_argument("--name", default="cli", help="a label for the token")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                membership = self._membership(options)
                issued = token_issue(membership=membership, name=options["name"])
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from exc
        self.stderr.write(
            f"Token {issued.token.prefix}… for {membership.user.username} ({membership.role}) "
            f"in {membership.organisation.slug}. It is shown once:"
        )
        self.stdout.write(issued.secret)

    def _membership(self, options) -> Membership:
        slug, username, role = options["org"], options["user"], options["role"]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            if not options["create"]:
                raise CommandError(f"no organisation {slug!r} (add --create to create it)")
            organisation = organisation_create(
                slug=slug, name=options["org_name"] or slug, kind=options["org_kind"]
            )
        membership = Membership.objects.filter(organisation=organisation, user__username=username).first()
        if membership is None:
            if not options["create"]:
                exists = get_user_model().objects.filter(username=username).exists()
                what = "is not a member of" if exists else "does not exist in"
                raise CommandError(f"user {username!r} {what} {slug!r} (add --create to add them)")
            return membership_create(organisation=organisation, username=username, role=role or Role.OWNER)
        if role and role != membership.role:
            raise CommandError(
                f"{username!r} is already {membership.role!r} in {slug!r}, not {role!r}; "
                "change roles through the API"
            )
        return membership
