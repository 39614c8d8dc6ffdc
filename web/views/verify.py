"""The public Verify page: anyone drops a file or bundle and reads the verdict in plain words.

It calls the same service as /api/public/verify/ and /api/verify/: a signed-in member sees
their own organisation's works in full, everyone else the public summary.
"""

from __future__ import annotations

import json
from typing import Any

from django.shortcuts import render
from django.views import View

from config.errors import ApplicationError
from provenance.verification import file_verify
from similarity.api import UploadTooLargeError, uploaded_file
from web.scoping import membership_for

MESSAGE_CHOOSE_FILE = "Choose an audio file or an evidence bundle (.zip) to verify."
MESSAGE_TOO_LARGE = "The file is too large to verify here."

OK, WARN, BAD = "ok", "warn", "bad"


def verdict_in_words(verdict: dict[str, Any]) -> tuple[str, str]:
    """(tone, sentence): what a person should conclude from the service's verdict."""
    if verdict["input"] == "evidence_bundle":
        if verdict["ok"]:
            return OK, "This evidence bundle is intact: every signature and log proof checks out."
        return BAD, "This evidence bundle does not check out: it was altered or is incomplete."
    if verdict["recovered_by"] == "manifest":
        state = verdict["c2pa"]["state"]
        if state == "trusted":
            return OK, "This file was made with SongProof and its label is intact."
        if state == "valid":
            return WARN, "This file carries an intact provenance label, but not one signed by SongProof."
        return BAD, "This file was altered after signing: its provenance label no longer matches the audio."
    if verdict["recovered_by"] == "soft_binding":
        return (
            WARN,
            "This file's label was stripped, but SongProof recognised the audio by its fingerprint: "
            "it was made with SongProof.",
        )
    return BAD, "No record found: SongProof has no label or fingerprint match for this file."


class VerifyPage(View):
    template_name = "web/verify.html"

    def get(self, request):
        return render(request, self.template_name, {})

    def post(self, request):
        try:  # refused on its declared length, before the body is read, as the API does
            upload = uploaded_file(request, "file", MESSAGE_CHOOSE_FILE)
        except UploadTooLargeError:
            return render(request, self.template_name, {"error": MESSAGE_TOO_LARGE}, status=413)
        except ApplicationError as exc:
            return render(request, self.template_name, {"error": exc.message}, status=exc.status)
        viewer = None
        if request.user.is_authenticated:
            membership = membership_for(request)
            viewer = membership.organisation if membership else None
        try:
            verdict = file_verify(data=upload.read(), viewer=viewer)
        except ApplicationError as exc:
            context = {"error": exc.message, "filename": upload.name}
            return render(request, self.template_name, context, status=exc.status)
        tone, sentence = verdict_in_words(verdict)
        context = {
            "filename": upload.name,
            "verdict": verdict,
            "tone": tone,
            "sentence": sentence,
            "details": json.dumps(verdict, indent=2, default=str),
        }
        return render(request, self.template_name, context)
