import json as json_module
from pathlib import Path

from django.core.management.base import BaseCommand

from config.errors import ApplicationError
from provenance.verify import main


class Command(BaseCommand):
    help = (
        "Verify an audio file or an evidence bundle as /api/verify/ does, with the full record "
        "(exit 0 verified or recovered, 1 invalid or not found, 2 bad input). --offline or "
        "--trust runs the database-free verifier instead (`python -m provenance.verify`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--trust", metavar="KEYS.json", help="offline: pin these keys (/api/keys/)")
        parser.add_argument("--offline", action="store_true", help="the offline verifier, no database")

    def handle(self, *args, path, json, trust, offline, **options):
        if offline or trust:
            argv = [path, *(["--json"] if json else []), *(["--trust", trust] if trust else [])]
            status = main(argv)
        else:
            status = self._verify(Path(path), as_json=json)
        if status:
            raise SystemExit(status)

    def _verify(self, path: Path, *, as_json: bool) -> int:
        from provenance.verification import file_verify, verdict_exit_status

        try:
            verdict = file_verify(data=path.read_bytes(), viewer=None, full=True)
        except OSError as exc:
            return self._bad_input("unreadable", f"{path}: {exc.strerror}", {}, as_json)
        except ApplicationError as exc:
            return self._bad_input(exc.code, exc.message, exc.detail, as_json)
        if as_json:
            self.stdout.write(json_module.dumps(verdict, indent=2))
        else:
            self.stdout.write(_describe(verdict))
        return verdict_exit_status(verdict)

    def _bad_input(self, code: str, message: str, detail: dict, as_json: bool) -> int:
        if as_json:
            error = {"error": {"code": code, "message": message, "detail": detail}}
            self.stdout.write(json_module.dumps(error, indent=2))
        else:
            self.stderr.write(f"{code}: {message} {detail or ''}".rstrip())
        return 2


def _describe(verdict: dict) -> str:
    if verdict["input"] == "evidence_bundle":
        lines = [f"{'PASS' if c['ok'] else 'FAIL'}  {c['name']}: {c['detail']}" for c in verdict["checks"]]
        return "\n".join([*lines, "VERIFIED" if verdict["ok"] else "NOT VERIFIED"])
    if verdict["recovered_by"] is None:
        return "NOT FOUND  no C2PA manifest, and no export sounds like this file"
    c2pa, work = verdict["c2pa"], verdict["work"] or {}
    failures = f" ({', '.join(c2pa['failures'])})" if c2pa["failures"] else ""
    lines = [f"C2PA       {c2pa['state']}{failures}, by {verdict['recovered_by']}"]
    if verdict["match"]:
        match = verdict["match"]
        lines.append(f"MATCH      export {match['export']}, score {match['score']:.2f}")
    if work:
        named = f"{work['title']} ({work['id']}), " if work["view"] == "full" else ""
        lines.append(f"WORK       {named}export {work['export']['id']}")
    return "\n".join(lines)
