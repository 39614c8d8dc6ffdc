from django.urls import path

from provenance import api, verification_api

urlpatterns = [
    path("works/<uuid:id>/events/", api.WorkEventListApi.as_view(), name="work-events"),
    path("works/<uuid:id>/evidence/", api.WorkEvidenceApi.as_view(), name="work-evidence"),
    path("log/checkpoint/", api.LogCheckpointApi.as_view(), name="log-checkpoint"),
    path("log/proof/", api.LogProofApi.as_view(), name="log-proof"),
    path("log/consistency/", api.LogConsistencyApi.as_view(), name="log-consistency"),
    path("keys/", api.KeyListApi.as_view(), name="keys"),
    path("verify/", verification_api.VerifyApi.as_view(), name="verify"),
    path("public/verify/", verification_api.PublicVerifyApi.as_view(), name="public-verify"),
    path("compliance/labels/", verification_api.LabelReportApi.as_view(), name="compliance-labels"),
]
