"""API for catalogues and matching uploaded audio against them."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.api_base import MemberApi
from accounts.roles import WRITERS
from config.errors import ApplicationError, InvalidInputError
from config.pagination import paginated_response, paginated_schema
from config.serializers import InputSerializer
from provenance.bundle import BundleError
from similarity.fingerprint import AudioError
from similarity.ingestion import (
    ingestion_counts,
    ingestion_failures,
    ingestion_from_upload,
    ingestion_progress,
)
from similarity.jobs import job_progress
from similarity.models import Catalogue, Ingestion, Recording, Scan
from similarity.scans import scan_counts, scan_csv, scan_from_archive, scan_rows
from similarity.selectors import catalogue_list, scan_list
from similarity.services import catalogue_create, match_audio

MESSAGE_NO_FILE = "Send the audio as a multipart form field named 'file'."
MESSAGE_NO_ARCHIVE = "Send the dataset as a zip in a multipart form field named 'archive'."
MESSAGE_NO_RECORDINGS = "Send audio files in multipart fields named 'file', or one zip named 'archive'."


class UploadTooLargeError(ApplicationError):
    code = "too_large"
    status = 413
    default_message = "The upload is larger than this service accepts."


def uploaded_files(request, fields: tuple[str, ...], missing_message: str) -> list:
    """The multipart files sent in `fields`, refused (413) before the body is read when it
    is larger than the service accepts: a huge upload never reaches memory or disk."""
    limit = settings.SIMILARITY_MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise UploadTooLargeError(detail={"max_bytes": limit})
    uploads = [upload for field in fields for upload in request.FILES.getlist(field)]
    if not uploads:
        raise InvalidInputError(missing_message)
    return uploads


def uploaded_file(request, field: str, missing_message: str):
    return uploaded_files(request, (field,), missing_message)[0]


class CatalogueOutput(serializers.ModelSerializer):
    recordings = serializers.IntegerField(source="recording_count")

    class Meta:
        model = Catalogue
        fields = ["id", "name", "training_allowed", "recordings", "created_at"]


def _catalogues(organisation):
    return catalogue_list(organisation=organisation).annotate(recording_count=Count("recordings"))


class CatalogueListApi(MemberApi):
    """Your organisation's catalogues; a rights holder creates them."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        name = serializers.CharField(max_length=200)
        training_allowed = serializers.BooleanField(default=False)
        tdm_reserved = serializers.BooleanField(default=False)

    @extend_schema(responses=paginated_schema(CatalogueOutput))
    def get(self, request):
        catalogues = _catalogues(self.organisation).order_by("name")
        return paginated_response(
            request=request, view=self, queryset=catalogues, serializer_class=CatalogueOutput
        )

    @extend_schema(request=Input, responses={201: CatalogueOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        catalogue = catalogue_create(organisation=self.organisation, **serializer.validated_data)
        return Response(CatalogueOutput(_catalogues(self.organisation).get(id=catalogue.id)).data, status=201)


class CatalogueDetailApi(MemberApi):
    @extend_schema(responses=CatalogueOutput)
    def get(self, request, id):
        return Response(CatalogueOutput(get_object_or_404(_catalogues(self.organisation), id=id)).data)


class RecordingOutput(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["id", "title", "artists", "isrc", "iswc", "source_path", "duration_s", "audio_sha256"]


class RecordingListApi(MemberApi):
    @extend_schema(responses=paginated_schema(RecordingOutput))
    def get(self, request, id):
        catalogue = get_object_or_404(catalogue_list(organisation=self.organisation), id=id)
        return paginated_response(
            request=request,
            view=self,
            queryset=catalogue.recordings.order_by("source_path", "id"),
            serializer_class=RecordingOutput,
        )


class IngestionOutput(serializers.ModelSerializer):
    catalogue = serializers.UUIDField(source="catalogue_id")
    progress = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    failed = serializers.SerializerMethodField()

    class Meta:
        model = Ingestion
        fields = [
            "id",
            "catalogue",
            "source",
            "status",
            "created_at",
            "finished_at",
            "progress",
            "counts",
            "failed",
        ]

    def get_progress(self, ingestion: Ingestion) -> float:
        return ingestion_progress(ingestion)

    def get_counts(self, ingestion: Ingestion) -> dict:
        return ingestion_counts(ingestion)

    def get_failed(self, ingestion: Ingestion) -> list:
        return ingestion_failures(ingestion)


class IngestionListApi(MemberApi):
    """Upload recordings to a catalogue: audio files in `file` fields, or one zip in `archive`
    (with an optional manifest.csv: path,title,artists,isrc,iswc). 202, then poll the ingestion."""

    allowed_roles = {"POST": WRITERS}
    parser_classes = [MultiPartParser]

    @extend_schema(responses=paginated_schema(IngestionOutput))
    def get(self, request, id):
        catalogue = get_object_or_404(catalogue_list(organisation=self.organisation), id=id)
        return paginated_response(
            request=request, view=self, queryset=catalogue.ingestions.all(), serializer_class=IngestionOutput
        )

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "archive": {"type": "string", "format": "binary"},
                },
            }
        },
        responses={202: IngestionOutput},
    )
    def post(self, request, id):
        catalogue = get_object_or_404(catalogue_list(organisation=self.organisation), id=id)
        uploads = uploaded_files(request, ("file", "archive"), MESSAGE_NO_RECORDINGS)
        files = {upload.name: upload.read() for upload in uploads}
        try:
            ingestion = ingestion_from_upload(catalogue=catalogue, name=", ".join(files)[:1000], files=files)
        except BundleError as exc:
            raise InvalidInputError(str(exc)) from None
        ingestion.refresh_from_db()
        return Response(IngestionOutput(ingestion).data, status=202)


class IngestionDetailApi(MemberApi):
    @extend_schema(responses=IngestionOutput)
    def get(self, request, id):
        ingestions = Ingestion.objects.filter(catalogue__organisation=self.organisation)
        return Response(IngestionOutput(get_object_or_404(ingestions, id=id)).data)


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
        upload = uploaded_file(request, "file", MESSAGE_NO_FILE)
        try:
            report = match_audio(
                data=upload.read(), catalogues=catalogue_list(organisation=self.organisation)
            )
        except AudioError as exc:
            raise InvalidInputError(str(exc), detail={"file": upload.name}) from None
        return Response({"duration_s": report.duration_s, "matches": report.matches})


class ScanOutput(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Scan
        fields = ["id", "source", "status", "created_at", "finished_at", "counts", "progress"]

    def get_counts(self, scan: Scan) -> dict:
        return scan_counts(scan)

    def get_progress(self, scan: Scan) -> float:
        return job_progress(scan.items.all())


class ScanListApi(MemberApi):
    """Upload a dataset as a zip (audio members are scanned; the rest is ignored): 202, then poll."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses=paginated_schema(ScanOutput))
    def get(self, request):
        scans = scan_list(organisation=self.organisation)
        return paginated_response(request=request, view=self, queryset=scans, serializer_class=ScanOutput)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"archive": {"type": "string", "format": "binary"}},
            }
        },
        responses={202: ScanOutput},
    )
    def post(self, request):
        upload = uploaded_file(request, "archive", MESSAGE_NO_ARCHIVE)
        try:
            scan = scan_from_archive(organisation=self.organisation, name=upload.name, data=upload.read())
        except BundleError as exc:
            raise InvalidInputError(str(exc), detail={"archive": upload.name}) from None
        scan.refresh_from_db()
        return Response(ScanOutput(scan).data, status=202)


class ScanDetailApi(MemberApi):
    @extend_schema(responses=ScanOutput)
    def get(self, request, id):
        return Response(ScanOutput(get_object_or_404(scan_list(organisation=self.organisation), id=id)).data)


class ScanReportApi(MemberApi):
    """The scan's items with their verdicts: JSON, or CSV with ?type=csv."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, id):
        scan = get_object_or_404(scan_list(organisation=self.organisation), id=id)
        if request.query_params.get("type") == "csv":
            response = HttpResponse(scan_csv(scan), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="scan-{scan.id}.csv"'
            return response
        return Response({"scan": str(scan.id), "counts": scan_counts(scan), "items": scan_rows(scan)})
