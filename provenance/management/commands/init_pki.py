from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from provenance.labels import pki_init
from provenance.pki import PkiExistsError


class Command(BaseCommand):
    help = (
        "Make the local C2PA PKI of the embedded default (a root CA and a signing certificate, "
        "the key encrypted at rest) and print the trust anchor's path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace an existing PKI (files signed before verify only against the old anchor)",
        )

    def handle(self, *args, force, **options):
        if settings.C2PA_CERT_CHAIN_PATH is not None:
            raise CommandError("C2PA_CERT_CHAIN_PATH is set: this deployment signs with its own certificates")
        try:
            paths = pki_init(force=force)
        except PkiExistsError as exc:
            raise CommandError(f"{exc}; pass --force to replace it") from None
        self.stdout.write(str(paths.anchors))
