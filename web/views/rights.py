"""The rights holder's pages: catalogues and their ingestions, and the takes that matched them.

Every object comes from a selector given the member's organisation, so another
organisation's catalogue, ingestion, recording or match answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import OrganisationKind
from config.errors import ApplicationError
from provenance.bundle import BundleError
from similarity.api import uploaded_files
from similarity.ingestion import ingestion_counts, ingestion_from_upload, ingestion_report
from similarity.jobs import progress_of
from similarity.models import Ingestion, IngestionItem
from similarity.selectors import (
    catalogue_list,
    recording_audio_path,
    rights_holder_match_get,
    rights_holder_match_list,
)
from web.charts import Segment, alignment_svg
from web.scoping import MemberPageMixin, UploadPageMixin

RIGHTS_HOLDER_KINDS = frozenset({OrganisationKind.RIGHTS_HOLDER})
MESSAGE_CHOOSE_AUDIO = "Choose audio files, or one zip of audio (with an optional manifest.csv)."


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    # The widget takes several files; the view reads them with similarity.api.uploaded_files,
    # which refuses a body over the size limit before reading it.
    file = forms.FileField(
        label="Audio files or a zip",
        required=False,
        widget=MultipleFileInput(),
        help_text="WAV, FLAC, MP3 or OGG files, or one .zip (manifest.csv: path,title,artists,isrc,iswc).",
    )


class RightsHolderPageMixin(MemberPageMixin):
    required_kinds = RIGHTS_HOLDER_KINDS


def ingestion_row(ingestion: Ingestion) -> dict:
    counts = ingestion_counts(ingestion)
    pending = counts[IngestionItem.Status.PENDING]
    return {
        "ingestion": ingestion,
        "progress": progress_of(pending=pending, total=sum(counts.values())),
        "counts": counts,
    }


class CatalogueListPage(RightsHolderPageMixin, TemplateView):
    template_name = "web/rights/catalogue_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        catalogues = catalogue_list(organisation=self.organisation).annotate(
            recording_count=Count("recordings")
        )
        rows = []
        for catalogue in catalogues.order_by("name"):
            latest = catalogue.ingestions.order_by("-created_at").first()
            rows.append({"catalogue": catalogue, "latest": ingestion_row(latest) if latest else None})
        context["rows"] = rows
        return context


class CataloguePage(UploadPageMixin, RightsHolderPageMixin, TemplateView):
    template_name = "web/rights/catalogue.html"

    def catalogue(self):
        return get_object_or_404(catalogue_list(organisation=self.organisation), id=self.kwargs["id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        catalogue = self.catalogue()
        context["catalogue"] = catalogue
        context["recordings"] = catalogue.recordings.order_by("source_path", "id")
        ingestions = [ingestion_row(i) for i in catalogue.ingestions.order_by("-created_at")[:20]]
        context["ingestions"] = ingestions
        context["running"] = any(row["ingestion"].status != "done" for row in ingestions)
        context.setdefault("form", UploadForm())
        return context

    def post(self, request, id):
        catalogue = self.catalogue()
        self.require_writer()
        form = UploadForm({})  # bound and empty: errors are added to it, files never re-read
        form.is_valid()
        try:
            uploads = uploaded_files(request, ("file",), MESSAGE_CHOOSE_AUDIO)
            files = {upload.name: upload.read() for upload in uploads}
            ingestion = ingestion_from_upload(catalogue=catalogue, name=", ".join(files)[:1000], files=files)
        except (ApplicationError, BundleError) as exc:
            return self.upload_refused(form, "file", exc)
        messages.success(request, f"Ingesting {ingestion.items.count()} file(s): progress is shown below.")
        return redirect("web:catalogue-detail", id=catalogue.id)


class IngestionPage(RightsHolderPageMixin, TemplateView):
    template_name = "web/rights/ingestion.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ingestions = Ingestion.objects.filter(catalogue__organisation=self.organisation).select_related(
            "catalogue"
        )
        ingestion = get_object_or_404(ingestions, id=self.kwargs["id"])
        context["ingestion"] = ingestion
        context["report"] = ingestion_report(ingestion)
        return context


class MatchListPage(RightsHolderPageMixin, TemplateView):
    template_name = "web/rights/match_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["checks"] = rights_holder_match_list(organisation=self.organisation)
        return context


class MatchPage(RightsHolderPageMixin, TemplateView):
    template_name = "web/rights/match.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = rights_holder_match_get(organisation=self.organisation, check_id=self.kwargs["id"])
        if check is None:
            raise Http404
        segments = [
            Segment(m["query_start_s"], m["reference_start_s"], m["duration_s"], str(m["recording"]))
            for m in check["matches"]
        ]
        context["check"] = check
        context["plot"] = mark_safe(alignment_svg(segments, title="Where the take matches your recordings"))  # noqa: S308  (escaped in web.charts)
        context["audio"] = {
            m["recording"].id
            for m in check["matches"]
            if recording_audio_path(organisation=self.organisation, recording_id=m["recording"].id)
        }
        return context


class RecordingAudio(RightsHolderPageMixin, View):
    def get(self, request, id):
        path = recording_audio_path(organisation=self.organisation, recording_id=id)
        if path is None:
            raise Http404
        return FileResponse(path.open("rb"), filename=path.name)
