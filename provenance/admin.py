from django.contrib import admin

from provenance.models import LabelPolicy


@admin.register(LabelPolicy)
class LabelPolicyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "explicit_label_required"]
