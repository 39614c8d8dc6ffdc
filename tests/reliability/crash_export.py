"""Run by test_crash_orphans: export a take and die by SIGKILL right after the signed file is
written and indexed, before the transaction recording its `export` event commits.

    python -m tests.reliability.crash_export TAKE_ID USERNAME   (C2PA_PKI_DIR from the env)
"""

import os
import signal
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402

from accounts.models import Membership  # noqa: E402
from generation.exports import take_export  # noqa: E402
from generation.models import Take  # noqa: E402
from provenance import exports_index  # noqa: E402

settings.C2PA_PKI_DIR = os.environ["C2PA_PKI_DIR"]
index_add = exports_index.exports_index_add


def add_then_die(exports):
    index_add(exports)
    os.kill(os.getpid(), signal.SIGKILL)


exports_index.exports_index_add = add_then_die
take = Take.objects.select_related("work").get(pk=sys.argv[1])
take_export(take=take, fmt="wav", exported_by=Membership.objects.get(user__username=sys.argv[2]))
sys.exit("not killed: the export committed")
