"""The OpenAPI schema generator's naming of serializer components."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Names a view's nested `Input` / `Output` serializers after the view (`MeApiOutput`).

    Every API class nests serializers with the same short names (conventions.md), so named by
    class name alone they would collide and one view's schema would describe another's body.
    """

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        qualname = serializer.__class__.__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "").removesuffix("Serializer") or name
        return name

    def get_operation_id(self):
        """A GET answering a paginated envelope is a list (`works_list`), not a retrieve that
        would collide with the detail's `works_retrieve`."""
        operation_id = super().get_operation_id()
        if self.method == "GET" and operation_id.endswith("_retrieve") and self._answers_a_page():
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _answers_a_page(self) -> bool:
        responses = self.get_response_serializers()
        candidates = responses.values() if isinstance(responses, dict) else [responses]
        return any(getattr(candidate, "paginated_list", False) for candidate in candidates)
