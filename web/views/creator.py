"""The creator's pages: works, and a work with its takes, actions, timeline and assessment."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from accounts.roles import OrganisationKind
from config.errors import ApplicationError
from generation.models import TrainingUse
from generation.selectors import work_list
from generation.services import work_create
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
        context["work"] = get_object_or_404(work_list(organisation=self.organisation), id=self.kwargs["id"])
        return context
