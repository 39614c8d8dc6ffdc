from django.core.management.base import BaseCommand

from provenance.keys import key_rotate
from provenance.models import KeyPurpose


class Command(BaseCommand):
    help = "Retire the active signing key(s) and make new ones; retired keys keep verifying what they signed."

    def add_arguments(self, parser):
        parser.add_argument("--purpose", choices=[*KeyPurpose.values, "all"], default="all")

    def handle(self, *args, purpose, **options):
        for each in KeyPurpose.values if purpose == "all" else [purpose]:
            key = key_rotate(purpose=each)
            self.stdout.write(f"{each}: new key {key.key_id}")
