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
