"""API: verify a file (member and public), and the label compliance report."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.api_base import MemberApi
from config.errors import InvalidInputError
from provenance.compliance import label_report, label_report_csv
from provenance.verification import file_verify
from similarity.api import uploaded_file

MESSAGE_NO_FILE = "Send the audio file or evidence bundle as a multipart form field named 'file'."
MESSAGE_BAD_PERIOD = "from must not be after to."
UPLOAD_SCHEMA = {
    "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
}


def _verify(request, viewer):
    upload = uploaded_file(request, "file", MESSAGE_NO_FILE)
    return Response(file_verify(data=upload.read(), viewer=viewer))


class VerifyApi(MemberApi):
    """Verify a file: its C2PA manifest, or, stripped, the export it came from. Your own
    organisation's works come with their record; others' with the public summary."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=UPLOAD_SCHEMA, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        return _verify(request, self.organisation)


class PublicVerifyThrottle(AnonRateThrottle):
    scope = "public_verify"


class PublicVerifyApi(APIView):
    """The same verification for anyone, without a token: the public summary only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicVerifyThrottle]
    parser_classes = [MultiPartParser]

    @extend_schema(request=UPLOAD_SCHEMA, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        return _verify(request, None)


class LabelReportApi(MemberApi):
    """Every export of your organisation's works in a period, with its label status."""

    class Query(serializers.Serializer):
        # `from` is a keyword: the fields are added under their query names below.
        type = serializers.ChoiceField(["json", "csv"], default="json")

    Query._declared_fields["from"] = serializers.DateField(required=False)
    Query._declared_fields["to"] = serializers.DateField(required=False)

    @extend_schema(parameters=[Query], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        query = self.Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        date_from, date_to = query.validated_data.get("from"), query.validated_data.get("to")
        if date_from and date_to and date_from > date_to:
            raise InvalidInputError(MESSAGE_BAD_PERIOD, detail={"from": str(date_from), "to": str(date_to)})
        report = label_report(organisation=self.organisation, date_from=date_from, date_to=date_to)
        if query.validated_data["type"] == "csv":
            response = HttpResponse(label_report_csv(report), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="labels-{report["organisation"]}.csv"'
            return response
        return Response(report)
