"""The navigation: the signed-in user's organisations and the sections of the current one."""

from __future__ import annotations

from accounts.roles import OrganisationKind
from web.scoping import SESSION_ORGANISATION, memberships_of

_COMPLIANCE = [
    ("Compliance", "web:compliance"),
    ("Scans", "web:scan-list"),
    ("Statements", "web:statement-list"),
]
# (label, URL name) per organisation kind; Verify is for everyone and always shown.
SECTIONS = {
    OrganisationKind.CREATOR_STUDIO: [("Works", "web:work-list"), *_COMPLIANCE],
    OrganisationKind.RIGHTS_HOLDER: [
        ("Catalogues", "web:catalogue-list"),
        ("Matches", "web:match-list"),
        ("Statements", "web:statement-list"),
    ],
    OrganisationKind.PLATFORM: _COMPLIANCE,
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_memberships": []}
    memberships = memberships_of(request)
    slug = request.session.get(SESSION_ORGANISATION)
    current = next((m for m in memberships if m.organisation.slug == slug), None) or (
        memberships[0] if memberships else None
    )
    return {
        "nav_memberships": memberships,
        "nav_current": current,
        "nav_sections": SECTIONS.get(current.organisation.kind, []) if current else [],
    }
