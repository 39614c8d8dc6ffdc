"""API for the legal reports: a work's authorship assessment, a model's training summary."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api_base import MemberApi
from generation.selectors import work_list
from legal.assessment import assess, assessment_html
from legal.training_summary import organisation_training_summary, summary_html
from provenance.selectors import event_list

HTML = "html"
TYPE_PARAMETER = OpenApiParameter("type", str, enum=[HTML], description="html: the same as an HTML page")


class WorkAssessmentApi(MemberApi):
    """The work's authorship assessment from its whole record: JSON, or an HTML fragment with
    ?type=html. A structured summary of recorded evidence, not legal advice."""

    @extend_schema(parameters=[TYPE_PARAMETER], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        summary = {"id": str(work.id), "title": work.title, "organisation": work.organisation.name}
        assessment = assess(event_list(organisation=self.organisation, work_id=work.id), work=summary)
        if request.query_params.get("type") == HTML:
            return HttpResponse(assessment_html(assessment), content_type="text/html; charset=utf-8")
        return Response(assessment.as_dict())


class TrainingSummaryApi(MemberApi):
    """The EU public summary of training content (AI Act Art. 53(1)(d)) drafted from your
    organisation's training-data scans: JSON, or HTML with ?type=html."""

    class Query(serializers.Serializer):
        scan = serializers.ListField(child=serializers.CharField(), allow_empty=True, required=False)
        model_name = serializers.CharField(max_length=200)
        model_version = serializers.CharField(max_length=100, required=False)
        type = serializers.ChoiceField(choices=[HTML], required=False)

    @extend_schema(parameters=[Query], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = request.query_params
        query = self.Query(data={**params.dict(), "scan": params.getlist("scan")})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        model = {"name": data["model_name"], "version": data.get("model_version")}
        summary = organisation_training_summary(
            organisation=self.organisation, scan_ids=data.get("scan", []), model=model
        )
        if data.get("type") == HTML:
            return HttpResponse(summary_html(summary), content_type="text/html; charset=utf-8")
        return Response(summary)
