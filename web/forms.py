"""The work page's forms; the API's input serializers check each edit's parameters."""

from __future__ import annotations

from django import forms

from generation.audio import CUE_POSITIONS
from generation.models import ExportFormat

# The edits the page offers, and the form fields each one reads.
EDIT_FIELDS = {
    "trim": ("start_s", "end_s"),
    "fade": ("in_s", "out_s"),
    "gain": ("db",),
}


class TagsField(forms.CharField):
    def to_python(self, value):
        return [tag.strip() for tag in (value or "").split(",") if tag.strip()]


class GenerateForm(forms.Form):
    prompt = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags = TagsField(required=False, help_text="Comma-separated, e.g. jazz, piano")
    duration_s = forms.FloatField(min_value=1, label="Duration (seconds)", initial=8)
    takes = forms.IntegerField(min_value=1, initial=2)


class EditForm(forms.Form):
    operation = forms.ChoiceField(choices=[(op, op.capitalize()) for op in EDIT_FIELDS])
    start_s = forms.FloatField(required=False, min_value=0, label="Trim start (s)")
    end_s = forms.FloatField(required=False, min_value=0, label="Trim end (s)")
    in_s = forms.FloatField(required=False, min_value=0, label="Fade in (s)")
    out_s = forms.FloatField(required=False, min_value=0, label="Fade out (s)")
    db = forms.FloatField(required=False, label="Gain (dB)")


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportFormat.choices)
    explicit_label = forms.ChoiceField(
        choices=[("", "No audible label"), *[(p, f"Audible label at the {p}") for p in CUE_POSITIONS]],
        required=False,
        label="Explicit (audible) AI label",
    )
