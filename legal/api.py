"""API of rights data, licences and model versions: organisation-scoped, auditors read only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_base import MemberApi
from accounts.roles import WRITERS
from config.pagination import paginated_response, paginated_schema
from config.serializers import InputSerializer
from legal import licences as licence_services
from legal import services
from legal.imports import InvalidImportError, rights_import, rows_from_bytes, rows_from_document
from legal.models import Composition, Licence, MasterShare, ModelVersion, Party, PublishingShare
from legal.selectors import (
    composition_list,
    licence_list,
    model_version_list,
    party_list,
    recording_list,
)

SHARE = {"max_digits": 7, "decimal_places": 4}


class PartyOutput(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name", "kind", "ipi", "created_at"]


class PartyListApi(MemberApi):
    """Parties (people, companies) whose rights a rights-holder organisation manages."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        name = serializers.CharField(max_length=300)
        kind = serializers.ChoiceField(choices=Party.Kind.choices)
        ipi = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    @extend_schema(responses=paginated_schema(PartyOutput))
    def get(self, request):
        parties = party_list(organisation=self.organisation).order_by("name", "id")
        return paginated_response(request=request, view=self, queryset=parties, serializer_class=PartyOutput)

    @extend_schema(request=Input, responses={201: PartyOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        party = services.party_create(organisation=self.organisation, **serializer.validated_data)
        return Response(PartyOutput(party).data, status=201)


class PartyDetailApi(MemberApi):
    @extend_schema(responses=PartyOutput)
    def get(self, request, id):
        return Response(
            PartyOutput(get_object_or_404(party_list(organisation=self.organisation), id=id)).data
        )


class PublishingShareOutput(serializers.ModelSerializer):
    party = serializers.UUIDField(source="party_id")
    party_name = serializers.CharField(source="party.name")

    class Meta:
        model = PublishingShare
        fields = ["party", "party_name", "role", "performance_share", "mechanical_share"]


class CompositionOutput(serializers.ModelSerializer):
    recordings = serializers.SerializerMethodField()
    publishing_shares = PublishingShareOutput(many=True)

    class Meta:
        model = Composition
        fields = ["id", "title", "iswc", "recordings", "publishing_shares", "created_at"]

    def get_recordings(self, composition: Composition) -> list[str]:
        return sorted(str(r.id) for r in composition.recordings.all())


class PublishingShareInput(InputSerializer):
    party = serializers.UUIDField()
    role = serializers.ChoiceField(choices=PublishingShare.Role.choices)
    performance_share = serializers.DecimalField(**SHARE)
    mechanical_share = serializers.DecimalField(**SHARE)


class CompositionListApi(MemberApi):
    """Compositions (musical works, by ISWC), their recordings and publishing shares."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        title = serializers.CharField(max_length=300)
        iswc = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        recordings = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
        publishing_shares = PublishingShareInput(many=True, required=False, default=list)

    def _compositions(self):
        return composition_list(organisation=self.organisation).prefetch_related(
            "recordings", "publishing_shares__party"
        )

    @extend_schema(responses=paginated_schema(CompositionOutput))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=self._compositions().order_by("title", "id"),
            serializer_class=CompositionOutput,
        )

    @extend_schema(request=Input, responses={201: CompositionOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        composition = services.composition_create(
            organisation=self.organisation,
            title=data["title"],
            iswc=data["iswc"],
            recordings=data["recordings"],
            publishing_shares=[services.PublishingShareInput(**s) for s in data["publishing_shares"]],
        )
        return Response(CompositionOutput(self._compositions().get(id=composition.id)).data, status=201)


class CompositionDetailApi(MemberApi):
    @extend_schema(responses=CompositionOutput)
    def get(self, request, id):
        compositions = composition_list(organisation=self.organisation)
        return Response(CompositionOutput(get_object_or_404(compositions, id=id)).data)


class MasterShareOutput(serializers.ModelSerializer):
    party = serializers.UUIDField(source="party_id")
    party_name = serializers.CharField(source="party.name")

    class Meta:
        model = MasterShare
        fields = ["party", "party_name", "share"]


class RecordingRightsApi(MemberApi):
    """A recording's master shares and its compositions' publishing shares; PUT replaces the
    master shares at once (they must sum to 100%)."""

    allowed_roles = {"PUT": WRITERS}

    class Input(InputSerializer):
        class Share(InputSerializer):
            party = serializers.UUIDField()
            share = serializers.DecimalField(**SHARE)

        master_shares = Share(many=True, allow_empty=False)

    def _rights(self, recording) -> dict:
        compositions = recording.compositions.prefetch_related("recordings", "publishing_shares__party")
        return {
            "recording": str(recording.id),
            "isrc": recording.isrc,
            "title": recording.title,
            "master_shares": MasterShareOutput(
                recording.master_shares.select_related("party"), many=True
            ).data,
            "compositions": CompositionOutput(compositions, many=True).data,
        }

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, id):
        return Response(
            self._rights(get_object_or_404(recording_list(organisation=self.organisation), id=id))
        )

    @extend_schema(request=Input, responses=OpenApiTypes.OBJECT)
    def put(self, request, id):
        recording = get_object_or_404(recording_list(organisation=self.organisation), id=id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        shares = [services.MasterShareInput(**s) for s in serializer.validated_data["master_shares"]]
        services.master_shares_replace(recording=recording, shares=shares)
        return Response(self._rights(recording))


class LicenceOutput(serializers.ModelSerializer):
    catalogue = serializers.UUIDField(source="catalogue_id")
    licensor = serializers.CharField(source="catalogue.organisation.slug")
    licensee = serializers.CharField(source="licensee.slug")
    opted_in = serializers.SerializerMethodField()
    model_versions = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "id",
            "catalogue",
            "licensor",
            "licensee",
            "training_allowed",
            "output_use_allowed",
            "tdm_reserved",
            "territories",
            "starts_on",
            "ends_on",
            "per_work_opt_in",
            "opted_in",
            "revenue_share",
            "minimum_minor",
            "currency",
            "model_versions",
            "created_at",
        ]

    def get_opted_in(self, licence: Licence) -> list[str]:
        return sorted(str(r.id) for r in licence.opted_in.all())

    def get_model_versions(self, licence: Licence) -> list[str]:
        return sorted(str(m.id) for m in licence.model_versions.all())


def _licences(organisation):
    return licence_list(organisation=organisation).select_related("catalogue__organisation", "licensee")


class LicenceListApi(MemberApi):
    """Licences you granted (your catalogues) or hold (as licensee); a licensor grants them."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        catalogue = serializers.UUIDField()
        licensee = serializers.CharField(max_length=64, help_text="the licensee organisation's slug")
        training_allowed = serializers.BooleanField(default=False)
        output_use_allowed = serializers.BooleanField(default=False)
        tdm_reserved = serializers.BooleanField(default=False)
        territories = serializers.ListField(child=serializers.CharField(max_length=5), allow_empty=False)
        starts_on = serializers.DateField()
        ends_on = serializers.DateField(required=False, allow_null=True, default=None)
        per_work_opt_in = serializers.BooleanField(default=False)
        opted_in = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
        # A negative rate passes here to be refused by the service with `negative_amount`.
        revenue_share = serializers.DecimalField(max_digits=8, decimal_places=4)
        minimum_minor = serializers.IntegerField(default=0)
        currency = serializers.CharField(max_length=3)

    @extend_schema(responses=paginated_schema(LicenceOutput))
    def get(self, request):
        licences = _licences(self.organisation).order_by("-starts_on", "id")
        return paginated_response(
            request=request, view=self, queryset=licences, serializer_class=LicenceOutput
        )

    @extend_schema(request=Input, responses={201: LicenceOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = licence_services.licence_create(organisation=self.organisation, **serializer.validated_data)
        return Response(LicenceOutput(_licences(self.organisation).get(id=licence.id)).data, status=201)


class LicenceDetailApi(MemberApi):
    @extend_schema(responses=LicenceOutput)
    def get(self, request, id):
        return Response(LicenceOutput(get_object_or_404(_licences(self.organisation), id=id)).data)


class ModelVersionOutput(serializers.ModelSerializer):
    licences = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = ["id", "name", "version", "licences", "created_at"]

    def get_licences(self, model_version: ModelVersion) -> list[str]:
        return sorted(str(licence.id) for licence in model_version.licences.all())


class ModelVersionListApi(MemberApi):
    """Your organisation's trained model versions (as a licensee)."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        name = serializers.CharField(max_length=200)
        version = serializers.CharField(max_length=100)

    @extend_schema(responses=paginated_schema(ModelVersionOutput))
    def get(self, request):
        versions = model_version_list(organisation=self.organisation).order_by("name", "version")
        return paginated_response(
            request=request, view=self, queryset=versions, serializer_class=ModelVersionOutput
        )

    @extend_schema(request=Input, responses={201: ModelVersionOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        model_version = licence_services.model_version_create(
            organisation=self.organisation, **serializer.validated_data
        )
        return Response(ModelVersionOutput(model_version).data, status=201)


class ModelVersionLicencesApi(MemberApi):
    """Record the licences a model version was trained under (in force, allowing training)."""

    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        licences = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)

    @extend_schema(request=Input, responses={200: ModelVersionOutput})
    def post(self, request, id):
        model_version = get_object_or_404(model_version_list(organisation=self.organisation), id=id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence_services.model_version_record_licences(
            model_version=model_version, licences=serializer.validated_data["licences"]
        )
        return Response(ModelVersionOutput(model_version).data)


class RightsImportApi(MemberApi):
    """Import rights data: a multipart `file` (CSV or JSON) or a JSON body
    (`{"parties": [...], ...}`); `?skip_invalid=true` imports the valid rows only."""

    allowed_roles = {"POST": WRITERS}
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        skip_invalid = request.query_params.get("skip_invalid", "").lower() in ("1", "true", "yes")
        upload = request.FILES.get("file")
        if upload is not None:
            rows = rows_from_bytes(upload.read(), name=upload.name)
        else:
            rows = rows_from_document(request.data)
        report = rights_import(organisation=self.organisation, rows=rows, skip_invalid=skip_invalid)
        if report.errors and not skip_invalid:
            raise InvalidImportError(detail=report.as_dict())
        return Response(report.as_dict())
