"""API for the creator's workflow: works, generation requests, takes, selections, edits, exports."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api_base import MemberApi
from accounts.roles import WRITERS
from config.pagination import paginated_response, paginated_schema
from config.serializers import InputSerializer
from generation.audio import CUE_POSITIONS
from generation.exports import take_export
from generation.models import Export, ExportFormat, GenerationRequest, Take, TrainingUse, Work
from generation.selectors import export_list, request_list, take_list, work_list
from generation.services import (
    generation_request_create,
    take_edit,
    take_replay,
    take_select,
    work_create,
    work_note_add,
)
from provenance.api import EventOutput
from provenance.manifests import MIME


class WorkOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Work
        fields = ["id", "title", "training_use", "created_by", "created_at"]


class TakeOutput(serializers.ModelSerializer):
    audio_url = serializers.SerializerMethodField()
    check = serializers.SerializerMethodField()

    class Meta:
        model = Take
        fields = [
            "id",
            "work",
            "request",
            "index",
            "parent",
            "backend",
            "sha256",
            "duration_s",
            "lyrics",
            "environment",
            "created_at",
            "audio_url",
            "check",
        ]

    def get_check(self, take: Take) -> dict | None:
        check = getattr(take, "output_check", None)
        if check is None:
            return None
        return {"verdict": check.verdict, "matched_seconds": check.matched_seconds, "matches": check.matches}

    def get_audio_url(self, take: Take) -> str:
        return reverse("take-audio", kwargs={"id": take.id})


class GenerationOutput(serializers.ModelSerializer):
    results = TakeOutput(many=True, read_only=True)

    class Meta:
        model = GenerationRequest
        fields = [
            "id",
            "work",
            "status",
            "backend",
            "prompt",
            "lyrics",
            "tags",
            "duration_s",
            "takes",
            "seed",
            "error",
            "created_at",
            "finished_at",
            "results",
        ]


class ExportOutput(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = ["id", "work", "take", "format", "sha256", "created_at", "download_url"]

    def get_download_url(self, export: Export) -> str:
        return reverse("export-download", kwargs={"id": export.id})


class WorkListApi(MemberApi):
    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        title = serializers.CharField(max_length=200)
        training_use = serializers.ChoiceField(choices=TrainingUse.choices, default=TrainingUse.NOT_ALLOWED)

    @extend_schema(responses=paginated_schema(WorkOutput))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=work_list(organisation=self.organisation),
            serializer_class=WorkOutput,
        )

    @extend_schema(request=Input, responses={201: WorkOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        work = work_create(
            organisation=self.organisation, created_by=self.membership, **serializer.validated_data
        )
        return Response(WorkOutput(work).data, status=status.HTTP_201_CREATED)


class WorkDetailApi(MemberApi):
    @extend_schema(responses=WorkOutput)
    def get(self, request, id):
        return Response(WorkOutput(get_object_or_404(work_list(organisation=self.organisation), id=id)).data)


class WorkNoteApi(MemberApi):
    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        text = serializers.CharField(max_length=10_000)

    @extend_schema(request=Input, responses={201: EventOutput})
    def post(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = work_note_add(work=work, author=self.membership, **serializer.validated_data)
        return Response(EventOutput(event).data, status=status.HTTP_201_CREATED)


class WorkGenerationListApi(MemberApi):
    """Queue a generation (202: poll the returned request until its status is done)."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        prompt = serializers.CharField(max_length=4000, allow_blank=True, default="")
        lyrics = serializers.CharField(max_length=20_000, allow_blank=True, default="")
        tags = serializers.ListField(child=serializers.CharField(max_length=64), max_length=32, default=list)
        duration_s = serializers.FloatField(default=30.0)
        takes = serializers.IntegerField(default=1)
        seed = serializers.IntegerField(min_value=0, max_value=2**62, required=False)
        backend = serializers.CharField(max_length=32, default="builtin")

    @extend_schema(responses=paginated_schema(GenerationOutput))
    def get(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        return paginated_response(
            request=request,
            view=self,
            queryset=request_list(organisation=self.organisation).filter(work=work),
            serializer_class=GenerationOutput,
        )

    @extend_schema(request=Input, responses={202: GenerationOutput})
    def post(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = generation_request_create(
            work=work, requested_by=self.membership, **serializer.validated_data
        )
        created.refresh_from_db()  # eager runs have finished by now
        response = Response(GenerationOutput(created).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("generation-detail", kwargs={"id": created.id})
        return response


class GenerationDetailApi(MemberApi):
    @extend_schema(responses=GenerationOutput)
    def get(self, request, id):
        return Response(
            GenerationOutput(get_object_or_404(request_list(organisation=self.organisation), id=id)).data
        )


class WorkTakeListApi(MemberApi):
    @extend_schema(responses=paginated_schema(TakeOutput))
    def get(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        return paginated_response(
            request=request,
            view=self,
            queryset=take_list(organisation=self.organisation).filter(work=work),
            serializer_class=TakeOutput,
        )


class _TakeApi(MemberApi):
    def take(self, id) -> Take:
        return get_object_or_404(take_list(organisation=self.organisation), id=id)


class TakeDetailApi(_TakeApi):
    @extend_schema(responses=TakeOutput)
    def get(self, request, id):
        return Response(TakeOutput(self.take(id)).data)


class TakeAudioApi(_TakeApi):
    @extend_schema(responses={(200, "audio/wav"): OpenApiTypes.BINARY})
    def get(self, request, id):
        take = self.take(id)
        return FileResponse(take.audio.open("rb"), content_type="audio/wav", filename=f"take-{take.id}.wav")


class TakeSelectApi(_TakeApi):
    allowed_roles = {"POST": WRITERS}

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, id):
        selection = take_select(take=self.take(id), selected_by=self.membership)
        body = {
            "id": str(selection.id),
            "chosen": str(selection.take_id),
            "alternatives": selection.alternatives,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class TrimInput(InputSerializer):
    start_s = serializers.FloatField(min_value=0, default=0.0)
    end_s = serializers.FloatField(min_value=0)


class FadeInput(InputSerializer):
    in_s = serializers.FloatField(min_value=0, default=0.0)
    out_s = serializers.FloatField(min_value=0, default=0.0)


class GainInput(InputSerializer):
    db = serializers.FloatField()


class RegenerateInput(InputSerializer):
    start_bar = serializers.IntegerField(min_value=0)
    end_bar = serializers.IntegerField(min_value=1)
    seed = serializers.IntegerField(min_value=0, max_value=2**62)


class ExtendInput(InputSerializer):
    """`bars` for builtin takes; `seconds` of continuation for musicgen takes."""

    bars = serializers.IntegerField(min_value=1, max_value=256, required=False)
    seconds = serializers.FloatField(min_value=0.01, max_value=60, required=False)
    seed = serializers.IntegerField(min_value=0, max_value=2**62)


class TempoInput(InputSerializer):
    bpm = serializers.FloatField()


class LyricsInput(InputSerializer):
    lyrics = serializers.CharField(max_length=20_000, allow_blank=True)


EDIT_PARAMETERS = {
    "trim": TrimInput,
    "fade": FadeInput,
    "gain": GainInput,
    "regenerate": RegenerateInput,
    "extend": ExtendInput,
    "tempo": TempoInput,
    "lyrics": LyricsInput,
}


class TakeEditApi(_TakeApi):
    """Make a new take from this one by one edit; the take itself never changes."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        operation = serializers.ChoiceField(choices=sorted(EDIT_PARAMETERS))
        parameters = serializers.DictField(default=dict)

    @extend_schema(request=Input, responses={201: TakeOutput})
    def post(self, request, id):
        take = self.take(id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        operation = serializer.validated_data["operation"]
        parameters = EDIT_PARAMETERS[operation](data=serializer.validated_data["parameters"])
        parameters.is_valid(raise_exception=True)
        result = take_edit(
            take=take,
            operation=operation,
            parameters=dict(parameters.validated_data),
            edited_by=self.membership,
        )
        return Response(TakeOutput(result).data, status=status.HTTP_201_CREATED)


class TakeReplayApi(_TakeApi):
    """Regenerate the take from its record and say whether the bytes match."""

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, id):
        return Response(vars(take_replay(take=self.take(id))))


class TakeExportApi(_TakeApi):
    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        format = serializers.ChoiceField(choices=ExportFormat.choices)
        # The audible GB 45438-2025 label: the rhythm cue at the start, middle or end.
        explicit_label = serializers.ChoiceField(choices=CUE_POSITIONS, allow_null=True, default=None)

    @extend_schema(request=Input, responses={201: ExportOutput})
    def post(self, request, id):
        take = self.take(id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        export = take_export(
            take=take,
            fmt=serializer.validated_data["format"],
            explicit_label=serializer.validated_data["explicit_label"],
            exported_by=self.membership,
        )
        return Response(ExportOutput(export).data, status=status.HTTP_201_CREATED)


class ExportDownloadApi(MemberApi):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, id):
        export = get_object_or_404(export_list(organisation=self.organisation), id=id)
        content_type = MIME[export.format]
        return FileResponse(
            export.file.open("rb"), content_type=content_type, filename=f"{export.id}.{export.format}"
        )
