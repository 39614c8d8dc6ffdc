"""API for catalogues and matching uploaded audio against them."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.api_base import MemberApi
from config.errors import ApplicationError, InvalidInputError
from config.pagination import paginated_response
from similarity.fingerprint import AudioError
from similarity.models import Catalogue
from similarity.selectors import catalogue_list
from similarity.services import match_audio

MESSAGE_NO_FILE = "Send the audio as a multipart form field named 'file'."


class UploadTooLargeError(ApplicationError):
    code = "too_large"
    status = 413
    default_message = "The upload is larger than this service accepts."


class CatalogueOutput(serializers.ModelSerializer):
    recordings = serializers.IntegerField(source="recording_count")

    class Meta:
        model = Catalogue
        fields = ["id", "name", "training_allowed", "recordings", "created_at"]


class CatalogueListApi(MemberApi):
    @extend_schema(responses=CatalogueOutput(many=True))
    def get(self, request):
        catalogues = (
            catalogue_list(organisation=self.organisation)
            .annotate(recording_count=Count("recordings"))
            .order_by("name")
        )
        return paginated_response(
            request=request, view=self, queryset=catalogues, serializer_class=CatalogueOutput
        )


class MatchApi(MemberApi):
    """Match an uploaded file against your organisation's catalogues."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        limit = settings.SIMILARITY_MAX_UPLOAD_BYTES
        # Refused before the body is read: a huge upload never reaches memory or disk.
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise UploadTooLargeError(detail={"max_bytes": limit})
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInputError(MESSAGE_NO_FILE)
        try:
            report = match_audio(
                data=upload.read(), catalogues=catalogue_list(organisation=self.organisation)
            )
        except AudioError as exc:
            raise InvalidInputError(str(exc), detail={"file": upload.name}) from None
        return Response({"duration_s": report.duration_s, "matches": report.matches})
