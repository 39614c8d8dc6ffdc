"""The creator's pages: works, and a work with its takes, actions, timeline and assessment."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from accounts.roles import OrganisationKind
from config.errors import ApplicationError
from generation.models import TrainingUse
from generation.selectors import export_list, request_list, take_list, work_list
from generation.services import work_create
from legal.assessment import assess, assessment_html
from provenance.evidence import timeline_entry
from provenance.selectors import event_list
from web.forms import EditForm, ExportForm, GenerateForm
from web.scoping import MemberPageMixin

CREATOR_KINDS = frozenset({OrganisationKind.CREATOR_STUDIO})


class WorkForm(forms.Form):
    title = forms.CharField(max_length=200)
    training_use = forms.ChoiceField(
        choices=TrainingUse.choices, initial=TrainingUse.NOT_ALLOWED, label="AI training and mining"
    )


class CreatorPageMixin(MemberPageMixin):
    required_kinds = CREATOR_KINDS


class WorkListPage(CreatorPageMixin, TemplateView):
    template_name = "web/work_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["works"] = work_list(organisation=self.organisation).order_by("-created_at")
        context.setdefault("form", WorkForm())
        return context

    def post(self, request):
        self.require_writer()
        form = WorkForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            work = work_create(
                organisation=self.organisation, created_by=self.membership, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status)
        messages.success(request, f"Created “{work.title}”.")
        return redirect("web:work-list")


class WorkPage(CreatorPageMixin, TemplateView):
    template_name = "web/work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        work = get_object_or_404(work_list(organisation=self.organisation), id=self.kwargs["id"])
        takes = take_list(organisation=self.organisation).filter(work=work)
        selection = work.selections.order_by("-created_at").first()
        events = list(event_list(organisation=self.organisation, work_id=work.id))
        summary = {"id": str(work.id), "title": work.title, "organisation": self.organisation.name}
        generations = request_list(organisation=self.organisation).filter(work=work)
        context |= {
            "work": work,
            "takes": takes,
            "selected_id": selection.take_id if selection else None,
            "running": [g for g in generations if g.status in ("queued", "running")],
            "failed": [g for g in generations[:5] if g.status == "failed"],
            "exports": export_list(organisation=self.organisation).filter(work=work).select_related("take"),
            "timeline": [timeline_entry(event) for event in events],
            "assessment": mark_safe(assessment_html(assess(events, work=summary))),  # noqa: S308  (escaped)
            "generate_form": GenerateForm(),
            "edit_form": EditForm(),
            "export_form": ExportForm(),
        }
        return context
