"""Training-data scans: upload a dataset, follow its progress, drill into verdicts, download CSV."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from config.errors import ApplicationError
from provenance.bundle import BundleError
from similarity.api import uploaded_file
from similarity.jobs import progress_of
from similarity.models import ScanItem, ScanVerdict
from similarity.scans import scan_counts, scan_csv, scan_from_archive, scan_rows
from similarity.selectors import scan_list
from web.scoping import MemberPageMixin, UploadPageMixin

ITEMS_PER_PAGE = 100
MESSAGE_NOT_ZIP = "Choose a .zip of the dataset's audio files."


class ScanForm(forms.Form):
    archive = forms.FileField(label="Dataset (.zip of audio files)", required=False)


def scan_progress(counts: dict[str, int]) -> float:
    # every item has one verdict, or is failed or pending
    return progress_of(pending=counts["pending"], total=sum(counts.values()))


class ScanListPage(UploadPageMixin, MemberPageMixin, TemplateView):
    template_name = "web/rights/scan_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for scan in scan_list(organisation=self.organisation).order_by("-created_at"):
            counts = scan_counts(scan)
            verdict_counts = [(value, counts[value]) for value in ScanVerdict.values]
            rows.append(
                {
                    "scan": scan,
                    "counts": counts,
                    "progress": scan_progress(counts),
                    "verdict_counts": verdict_counts,
                }
            )
        context["rows"] = rows
        context["verdicts"] = ScanVerdict.choices
        context["running"] = any(row["scan"].status != "done" for row in rows)
        context.setdefault("form", ScanForm())
        return context

    def post(self, request):
        self.require_writer()
        form = ScanForm({})  # bound and empty: errors are added to it, files never re-read
        form.is_valid()
        try:
            upload = uploaded_file(request, "archive", MESSAGE_NOT_ZIP)
            if not upload.name.lower().endswith(".zip"):
                raise BundleError(MESSAGE_NOT_ZIP)
            scan = scan_from_archive(organisation=self.organisation, name=upload.name, data=upload.read())
        except (ApplicationError, BundleError) as exc:
            return self.upload_refused(form, "archive", exc)
        messages.success(request, f"Scanning {scan.items.count()} audio file(s) of {scan.source}.")
        return redirect("web:scan-detail", id=scan.id)


class ScanPage(MemberPageMixin, TemplateView):
    template_name = "web/rights/scan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scan = get_object_or_404(scan_list(organisation=self.organisation), id=self.kwargs["id"])
        counts = scan_counts(scan)
        wanted = self.request.GET.get("verdict", "")
        rows = scan_rows(scan)  # the same rows as the API's report and the CSV
        if wanted == ScanItem.Status.FAILED:
            rows = [row for row in rows if row["status"] == ScanItem.Status.FAILED]
        elif wanted in ScanVerdict.values:
            rows = [row for row in rows if row["verdict"] == wanted]
        else:
            wanted = ""
        page = Paginator(rows, ITEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        context |= {
            "scan": scan,
            "counts": counts,
            "progress": scan_progress(counts),
            "verdict_counts": [(value, label, counts[value]) for value, label in ScanVerdict.choices],
            "wanted": wanted,
            "page": page,
        }
        return context


class ScanCsv(MemberPageMixin, View):
    def get(self, request, id):
        scan = get_object_or_404(scan_list(organisation=self.organisation), id=id)
        response = HttpResponse(scan_csv(scan), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="scan-{scan.id}.csv"'
        return response
