"""Session login and organisation scoping for the server-rendered pages.

A page acts for one membership of the signed-in user, exactly as an API token does: every
queryset a page shows comes from a selector given that membership's organisation, so
another organisation's objects answer 404, never 403 (which would confirm they exist).
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Membership, Organisation
from accounts.roles import WRITERS

SESSION_ORGANISATION = "web_organisation"
MESSAGE_NO_MEMBERSHIP = "Your account is not a member of any organisation; ask an owner to add you."
MESSAGE_READ_ONLY = "Your role in this organisation can read but not change anything."


def memberships_of(request: HttpRequest) -> list[Membership]:
    """The signed-in user's memberships, read once per request (the page and its navigation)."""
    if not hasattr(request, "_web_memberships"):
        memberships = Membership.objects.filter(user=request.user).select_related("organisation")
        request._web_memberships = list(memberships)
    return request._web_memberships


def membership_for(request: HttpRequest) -> Membership | None:
    """The membership a page acts for: `?org=<slug>` switches, the session remembers it."""
    memberships = memberships_of(request)
    if not memberships:
        return None
    wanted = request.GET.get("org") or request.session.get(SESSION_ORGANISATION)
    chosen = next((m for m in memberships if m.organisation.slug == wanted), memberships[0])
    if request.session.get(SESSION_ORGANISATION) != chosen.organisation.slug:
        request.session[SESSION_ORGANISATION] = chosen.organisation.slug  # saved only on a change
    return chosen


class MemberPageMixin(LoginRequiredMixin):
    """A page for a signed-in member; `self.organisation` scopes everything it shows.

    Set `required_kinds` to restrict a page to some organisation kinds (others get 404).
    """

    required_kinds: frozenset[str] | None = None
    membership: Membership
    organisation: Organisation

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = membership_for(request)
        if membership is None:
            raise PermissionDenied(MESSAGE_NO_MEMBERSHIP)
        self.membership = membership
        self.organisation = membership.organisation
        if self.required_kinds is not None and self.organisation.kind not in self.required_kinds:
            from django.http import Http404

            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def require_writer(self) -> None:
        if self.membership.role not in WRITERS:
            raise PermissionDenied(MESSAGE_READ_ONLY)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = self.membership
        context["organisation"] = self.organisation
        return context


class UploadPageMixin:
    """A page whose form uploads files: a refused upload (too large, not audio, a bad zip)
    is shown on the form's field, with the status the API would give."""

    def upload_refused(self, form, field: str, exc: Exception):
        from config.errors import ApplicationError

        is_domain_error = isinstance(exc, ApplicationError)
        form.add_error(field, exc.message if is_domain_error else str(exc))
        status = exc.status if is_domain_error else 400
        return self.render_to_response(self.get_context_data(form=form), status=status)
