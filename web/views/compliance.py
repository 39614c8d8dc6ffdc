"""Compliance pages of platforms and studios: exports and their labels, the output-check
policy, and the training-content summary drafted from scans."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.roles import OrganisationKind, Role
from config.errors import ApplicationError
from legal.training_summary import organisation_training_summary, summary_html
from provenance.compliance import label_report, label_report_csv
from similarity.selectors import scan_list
from similarity.services import (
    MESSAGE_POLICY_ORDER,
    MESSAGE_POLICY_SCORE,
    output_policy_for,
    output_policy_set,
)
from web.scoping import MemberPageMixin

COMPLIANCE_KINDS = frozenset({OrganisationKind.PLATFORM, OrganisationKind.CREATOR_STUDIO})
# The policy decides whether takes are blocked: a creator must not loosen it for their own takes.
POLICY_EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.COMPLIANCE})
MESSAGE_POLICY_READ_ONLY = "Only owners, admins and compliance members change the output-check policy."


class CompliancePageMixin(MemberPageMixin):
    required_kinds = COMPLIANCE_KINDS


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("The period cannot end before it starts.")
        return cleaned


class ExportsPage(CompliancePageMixin, TemplateView):
    """The exports ledger and the label compliance report are one table: every export of the
    period with its label status, read again from the stored file (provenance.compliance)."""

    template_name = "web/rights/compliance_exports.html"

    def get(self, request, *args, **kwargs):
        form = PeriodForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, report=None), status=400)
        period = form.cleaned_data if form.is_bound else {}
        report = label_report(
            organisation=self.organisation, date_from=period.get("date_from"), date_to=period.get("date_to")
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(label_report_csv(report), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="labels-{self.organisation.slug}.csv"'
            return response
        return self.render_to_response(self.get_context_data(form=form, report=report))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query["format"] = "csv"
        context["csv_query"] = query.urlencode()
        return context


class PolicyForm(forms.Form):
    flag_seconds = forms.FloatField(label="Flag a take from (seconds of matched audio)", min_value=0)
    block_seconds = forms.FloatField(label="Block a take from (seconds of matched audio)", min_value=0)
    min_score = forms.FloatField(label="Minimum match score (0 to 1)", min_value=0, max_value=1)

    def clean(self):
        cleaned = super().clean()
        flag, block = cleaned.get("flag_seconds"), cleaned.get("block_seconds")
        if flag is not None and block is not None and block < flag:
            self.add_error("block_seconds", MESSAGE_POLICY_ORDER)
        return cleaned


class PolicyPage(CompliancePageMixin, TemplateView):
    template_name = "web/rights/compliance_policy.html"

    def can_edit(self) -> bool:
        return self.membership.role in POLICY_EDITORS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = output_policy_for(self.organisation)
        context["policy"] = policy
        context["can_edit"] = self.can_edit()
        context.setdefault("form", PolicyForm(initial=policy.as_dict()))
        context["score_hint"] = MESSAGE_POLICY_SCORE
        return context

    def post(self, request):
        if not self.can_edit():
            messages.error(request, MESSAGE_POLICY_READ_ONLY)
            return self.render_to_response(self.get_context_data(), status=403)
        form = PolicyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            output_policy_set(organisation=self.organisation, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status)
        messages.success(request, "Saved: takes made from now on are checked with this policy.")
        return redirect("web:compliance-policy")


class SummaryForm(forms.Form):
    scan = forms.MultipleChoiceField(label="Scans of the training data", widget=forms.CheckboxSelectMultiple)
    model_name = forms.CharField(label="Model name", max_length=200)
    model_version = forms.CharField(label="Model version", max_length=100, required=False)

    def __init__(self, *args, scans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].choices = [
            (str(s.id), f"{s.source} ({s.created_at:%d %b %Y}, {s.status})") for s in scans
        ]


class TrainingSummaryPage(CompliancePageMixin, TemplateView):
    """Choose scans and name the model; the summary opens as its own printable document."""

    template_name = "web/rights/compliance_summary.html"

    def get(self, request, *args, **kwargs):
        scans = scan_list(organisation=self.organisation).order_by("-created_at")
        form = SummaryForm(request.GET or None, scans=scans)
        if not form.is_bound:
            return self.render_to_response(self.get_context_data(form=form, has_scans=scans.exists()))
        if not form.is_valid():
            context = self.get_context_data(form=form, has_scans=scans.exists())
            return self.render_to_response(context, status=400)
        data = form.cleaned_data
        model = {"name": data["model_name"], "version": data["model_version"] or None}
        try:
            summary = organisation_training_summary(
                organisation=self.organisation, scan_ids=data["scan"], model=model
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            context = self.get_context_data(form=form, has_scans=scans.exists())
            return self.render_to_response(context, status=exc.status)
        return HttpResponse(summary_html(summary), content_type="text/html; charset=utf-8")
