"""A work's actions: generate, select, edit, export; audio, waveform and downloads.

Each action calls the same service as the API; a domain error becomes a message on the work
page (a blocked take's export says why), never an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from config.errors import ApplicationError
from generation.api import EDIT_PARAMETERS
from generation.exports import take_export
from generation.selectors import export_list, request_list, take_list, work_list
from generation.services import generation_request_create, take_edit, take_select
from provenance.evidence import evidence_bundle_build
from provenance.manifests import MIME
from web.forms import EDIT_FIELDS, EditForm, ExportForm, GenerateForm
from web.scoping import MemberPageMixin
from web.views.creator import CREATOR_KINDS
from web.waveform import take_waveform

MESSAGE_FORM_INVALID = "Please correct the form: {errors}"


def short(take) -> str:
    return f"take {str(take.id)[:8]}"


def _form_errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())


class WorkActionView(MemberPageMixin, View):
    """A POST on one of the work's objects; answers with a redirect to the work page."""

    required_kinds = CREATOR_KINDS

    def post(self, request, id):
        self.require_writer()
        target = self.target(id)
        try:
            text = self.act(target)
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            if text:
                messages.success(request, text)
        return redirect(self.work_url(target))

    def target(self, id):
        return get_object_or_404(take_list(organisation=self.organisation), id=id)

    def work_url(self, target) -> str:
        return reverse("web:work-detail", args=[target.work_id])


class GenerateAction(WorkActionView):
    def target(self, id):
        return get_object_or_404(work_list(organisation=self.organisation), id=id)

    def work_url(self, target) -> str:
        return reverse("web:work-detail", args=[target.id])

    def act(self, work) -> str:
        form = GenerateForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(MESSAGE_FORM_INVALID.format(errors=_form_errors(form)))
        created = generation_request_create(work=work, requested_by=self.membership, **form.cleaned_data)
        return f"Generation of {created.takes} take(s) started."


class SelectAction(WorkActionView):
    def act(self, take) -> str:
        selection = take_select(take=take, selected_by=self.membership)
        return f"Selected {short(take)} over {len(selection.alternatives)} alternative(s)."


class EditAction(WorkActionView):
    def act(self, take) -> str:
        form = EditForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(MESSAGE_FORM_INVALID.format(errors=_form_errors(form)))
        operation = form.cleaned_data["operation"]
        raw = {name: form.cleaned_data[name] for name in EDIT_FIELDS[operation]}
        parameters = EDIT_PARAMETERS[operation](data={k: v for k, v in raw.items() if v is not None})
        if not parameters.is_valid():
            raise ValidationError(MESSAGE_FORM_INVALID.format(errors=_form_errors(parameters)))
        validated = dict(parameters.validated_data)
        result = take_edit(take=take, operation=operation, parameters=validated, edited_by=self.membership)
        return f"{operation.capitalize()} of {short(take)} made {short(result)}."


class ExportAction(WorkActionView):
    def act(self, take) -> str:
        form = ExportForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(MESSAGE_FORM_INVALID.format(errors=_form_errors(form)))
        label = form.cleaned_data["explicit_label"] or None
        export = take_export(
            take=take, fmt=form.cleaned_data["format"], explicit_label=label, exported_by=self.membership
        )
        return f"Exported {short(take)} as {export.format.upper()}; download it below."


class TakeAudio(MemberPageMixin, View):
    def get(self, request, id):
        take = get_object_or_404(take_list(organisation=self.organisation), id=id)
        return FileResponse(take.audio.open("rb"), content_type="audio/wav", filename=f"take-{take.id}.wav")


class TakeWaveform(MemberPageMixin, View):
    def get(self, request, id):
        take = get_object_or_404(take_list(organisation=self.organisation), id=id)
        response = HttpResponse(take_waveform(take), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=86400"
        return response


class ExportDownload(MemberPageMixin, View):
    def get(self, request, id):
        export = get_object_or_404(export_list(organisation=self.organisation), id=id)
        return FileResponse(
            export.file.open("rb"),
            content_type=MIME[export.format],
            as_attachment=True,
            filename=f"{export.work.title[:40]}-{str(export.id)[:8]}.{export.format}".replace(" ", "-"),
        )


class WorkEvidence(MemberPageMixin, View):
    def get(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        response = HttpResponse(evidence_bundle_build(work=work), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="evidence-{work.id}.zip"'
        return response


class GenerationStatus(MemberPageMixin, View):
    """Polled by the work page while a generation runs."""

    def get(self, request, id):
        generation = get_object_or_404(request_list(organisation=self.organisation), id=id)
        return JsonResponse(
            {
                "id": str(generation.id),
                "status": generation.status,
                "finished": generation.status in ("done", "failed"),
                "error": generation.error,
                "takes": generation.results.count(),
            }
        )
