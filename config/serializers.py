"""Serializer bases shared by every app's API."""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

MESSAGE_UNKNOWN_FIELD = "Unknown field."
MESSAGE_NOT_A_STRING = "Expected a string."


class InputSerializer(serializers.Serializer):
    """Validates a request body strictly.

    DRF ignores unknown keys and turns numbers into strings by default; a client that
    misspells `role` as `rol`, or sends `12` for a name, would then get a silent no-op or
    a coerced value instead of an error.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {
                name: [ErrorDetail(MESSAGE_UNKNOWN_FIELD, code="unknown_field")]
                for name in self._unknown(data)
            }
            errors |= {
                name: [ErrorDetail(MESSAGE_NOT_A_STRING, code="invalid_type")]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and name in data
                and not isinstance(data[name], str)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def _unknown(self, data: Mapping) -> list[str]:
        writable = {name for name, field in self.fields.items() if not field.read_only}
        return sorted(set(data) - writable)
