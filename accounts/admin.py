from django.contrib import admin

from accounts.models import ApiToken, Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "kind", "created_at"]
    search_fields = ["slug", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # The digest is useless to a reader and the secret is never stored.
    list_display = ["prefix", "name", "membership", "created_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    readonly_fields = ["prefix", "last_used_at"]
