from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ops.health import health_report

_Report = inline_serializer(
    "HealthReport",
    {
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "environment": serializers.CharField(),
        "checks": serializers.DictField(child=serializers.DictField()),
        "workers": serializers.DictField(child=serializers.DictField(), required=False),
    },
)


class HealthApi(APIView):
    """Readiness: 200 when the database and the broker answer, else 503. No authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: _Report, 503: _Report})
    def get(self, request):
        healthy, report = health_report()
        return Response(report, status=200 if healthy else 503)
