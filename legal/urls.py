from django.urls import path

from legal import api, reports_api, statement_api

urlpatterns = [
    path("parties/", api.PartyListApi.as_view(), name="party-list"),
    path("parties/<uuid:id>/", api.PartyDetailApi.as_view(), name="party-detail"),
    path("compositions/", api.CompositionListApi.as_view(), name="composition-list"),
    path("compositions/<uuid:id>/", api.CompositionDetailApi.as_view(), name="composition-detail"),
    path("recordings/<uuid:id>/rights/", api.RecordingRightsApi.as_view(), name="recording-rights"),
    path("rights/imports/", api.RightsImportApi.as_view(), name="rights-import"),
    path("licences/", api.LicenceListApi.as_view(), name="licence-list"),
    path("licences/<uuid:id>/", api.LicenceDetailApi.as_view(), name="licence-detail"),
    path(
        "licences/<uuid:id>/statements/",
        statement_api.LicenceStatementListApi.as_view(),
        name="licence-statements",
    ),
    path("statements/<uuid:id>/", statement_api.StatementDetailApi.as_view(), name="statement-detail"),
    path("model-versions/", api.ModelVersionListApi.as_view(), name="model-version-list"),
    path(
        "model-versions/<uuid:id>/licences/",
        api.ModelVersionLicencesApi.as_view(),
        name="model-version-licences",
    ),
    path("works/<uuid:id>/assessment/", reports_api.WorkAssessmentApi.as_view(), name="work-assessment"),
    path("training-summaries/", reports_api.TrainingSummaryApi.as_view(), name="training-summaries"),
]
