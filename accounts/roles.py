"""Organisation kinds, member roles, and which roles may do what."""

from django.db import models


class OrganisationKind(models.TextChoices):
    CREATOR_STUDIO = "creator_studio", "Creator studio"
    PLATFORM = "platform", "Platform"
    RIGHTS_HOLDER = "rights_holder", "Rights holder"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    COMPLIANCE = "compliance", "Compliance"
    AUDITOR = "auditor", "Auditor"
    CREATOR = "creator", "Creator"


ALL_ROLES = frozenset(Role)
# Who may change the organisation itself, its members and other members' tokens.
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
# Auditors read everything and write nothing.
WRITERS = ALL_ROLES - {Role.AUDITOR}
