"""The navigation: the signed-in user's organisations and the sections of the current one."""

from __future__ import annotations

from accounts.models import Membership
from accounts.roles import OrganisationKind
from web.scoping import SESSION_ORGANISATION

# (label, URL name) per organisation kind; Verify is for everyone and always shown.
SECTIONS = {
    OrganisationKind.CREATOR_STUDIO: [("Works", "web:work-list")],
    OrganisationKind.RIGHTS_HOLDER: [],
    OrganisationKind.PLATFORM: [],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_memberships": []}
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    slug = request.session.get(SESSION_ORGANISATION)
    current = next((m for m in memberships if m.organisation.slug == slug), None) or (
        memberships[0] if memberships else None
    )
    return {
        "nav_memberships": memberships,
        "nav_current": current,
        "nav_sections": SECTIONS.get(current.organisation.kind, []) if current else [],
    }


# Rights-holder and compliance sections (issue 8 part B), after each kind's own sections.
RIGHTS_AND_COMPLIANCE_SECTIONS = {
    OrganisationKind.RIGHTS_HOLDER: [
        ("Catalogues", "web:catalogue-list"),
        ("Matches", "web:match-list"),
        ("Statements", "web:statement-list"),
    ],
    OrganisationKind.PLATFORM: [
        ("Compliance", "web:compliance"),
        ("Scans", "web:scan-list"),
        ("Statements", "web:statement-list"),
    ],
    OrganisationKind.CREATOR_STUDIO: [
        ("Compliance", "web:compliance"),
        ("Scans", "web:scan-list"),
        ("Statements", "web:statement-list"),
    ],
}
for _kind, _sections in RIGHTS_AND_COMPLIANCE_SECTIONS.items():
    SECTIONS[_kind] = SECTIONS[_kind] + _sections
