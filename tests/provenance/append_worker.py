"""One of the processes of the concurrent-append test: records notes on works, then exits.

    python -m tests.provenance.append_worker WORK_ID[,WORK_ID...] COUNT

Each note commits on its own and triggers the log's integration (eager tasks), so several
of these processes race on both the works' chains and the log.
"""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from accounts.models import Membership
    from generation.models import Work
    from generation.services import work_note_add

    work_ids, count = sys.argv[1].split(","), int(sys.argv[2])
    works = [Work.objects.get(pk=work_id) for work_id in work_ids]
    author = Membership.objects.get(organisation=works[0].organisation, role="owner")
    for n in range(count):
        work_note_add(work=works[n % len(works)], text=f"pid {os.getpid()} note {n}", author=author)


if __name__ == "__main__":
    main()
