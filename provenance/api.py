"""API for the contribution record, the Merkle log and the public keys."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_base import MemberApi
from config.errors import InvalidInputError, NotFoundError
from config.pagination import paginated_response, paginated_schema
from generation.selectors import work_list
from provenance import merkle
from provenance.evidence import evidence_bundle_build
from provenance.keys import public_key
from provenance.models import ContributionEvent, KeyPurpose
from provenance.note import verifier_key
from provenance.selectors import (
    DatabaseNodes,
    checkpoint_latest,
    consistency_proof,
    event_by_hash,
    event_list,
    inclusion_proof,
    log_size,
    signing_keys,
)
from provenance.services import log_integrate

MESSAGE_EMPTY_LOG = "The log has no checkpoint yet."
MESSAGE_BAD_TREE_SIZE = "tree_size must cover the event and not exceed the log's size."
MESSAGE_BAD_RANGE = "Need 0 < first <= second <= the log's size."


class EventOutput(serializers.ModelSerializer):
    actor = serializers.JSONField()
    payload = serializers.JSONField()
    signature = serializers.SerializerMethodField()

    class Meta:
        model = ContributionEvent
        fields = [
            "seq",
            "kind",
            "actor",
            "payload",
            "created_at",
            "prev_hash",
            "event_hash",
            "signature",
            "key_id",
            "log_index",
        ]

    def get_signature(self, event: ContributionEvent) -> str:
        return base64.b64encode(bytes(event.signature)).decode()


class WorkEventListApi(MemberApi):
    @extend_schema(responses=paginated_schema(EventOutput))
    def get(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        return paginated_response(
            request=request,
            view=self,
            queryset=event_list(organisation=self.organisation, work_id=work.id),
            serializer_class=EventOutput,
        )


class WorkEvidenceApi(MemberApi):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        response = HttpResponse(evidence_bundle_build(work=work), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="evidence-{work.id}.zip"'
        return response


class LogCheckpointApi(MemberApi):
    class Output(serializers.Serializer):
        tree_size = serializers.IntegerField()
        root_hash = serializers.CharField(help_text="hex")
        checkpoint = serializers.CharField(help_text="C2SP signed note")

    @extend_schema(responses=Output)
    def get(self, request):
        checkpoint = checkpoint_latest()
        if checkpoint is None:
            raise NotFoundError(MESSAGE_EMPTY_LOG)
        return Response(
            {
                "tree_size": checkpoint.tree_size,
                "root_hash": bytes(checkpoint.root_hash).hex(),
                "checkpoint": checkpoint.note,
            }
        )


class LogProofApi(MemberApi):
    class Query(serializers.Serializer):
        event = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="the event's hash (hex)")
        tree_size = serializers.IntegerField(min_value=1, required=False)

    @extend_schema(parameters=[Query], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        query = self.Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        event = event_by_hash(organisation=self.organisation, event_hash=query.validated_data["event"])
        if event is None:
            raise NotFoundError()
        if event.log_index is None:
            log_integrate()  # recorded moments ago: integrate now rather than make the caller wait
            event.refresh_from_db(fields=["log_index"])
        size = query.validated_data.get("tree_size") or log_size()
        if not event.log_index < size <= log_size():
            raise InvalidInputError(
                MESSAGE_BAD_TREE_SIZE, detail={"tree_size": size, "leaf_index": event.log_index}
            )
        proof = inclusion_proof(event=event, tree_size=size)
        return Response(
            {
                "event_hash": event.event_hash,
                "leaf_index": proof.leaf_index,
                "tree_size": proof.tree_size,
                "root_hash": proof.root_hash.hex(),
                "audit_path": [node.hex() for node in proof.audit_path],
            }
        )


class LogConsistencyApi(MemberApi):
    class Query(serializers.Serializer):
        first = serializers.IntegerField(min_value=1)
        second = serializers.IntegerField(min_value=1)

    @extend_schema(parameters=[Query], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        query = self.Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, second = query.validated_data["first"], query.validated_data["second"]
        if not first <= second <= log_size():
            raise InvalidInputError(MESSAGE_BAD_RANGE, detail={"first": first, "second": second})
        source = DatabaseNodes()
        return Response(
            {
                "first": first,
                "second": second,
                "first_root": merkle.root(source, first).hex(),
                "second_root": merkle.root(source, second).hex(),
                "proof": [node.hex() for node in consistency_proof(first=first, second=second)],
            }
        )


class KeyListApi(APIView):
    """Public keys, current and retired, with validity periods. Public: verifiers pin these."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        keys = []
        for key in signing_keys():
            raw = bytes(key.public_key)
            entry = {
                "key_id": key.key_id,
                "purpose": key.purpose,
                "algorithm": "ed25519",
                "public_key": base64.b64encode(raw).decode(),
                "public_key_pem": public_key(key)
                .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
                .decode(),
                "valid_from": key.created_at,
                "valid_until": key.retired_at,
            }
            if key.purpose == KeyPurpose.LOG:
                entry["vkey"] = verifier_key(settings.SONGPROOF_LOG_ORIGIN, raw)
            keys.append(entry)
        return Response({"log_origin": settings.SONGPROOF_LOG_ORIGIN, "keys": keys})
