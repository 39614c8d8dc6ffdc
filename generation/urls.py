from django.urls import path

from generation import api

urlpatterns = [
    path("works/", api.WorkListApi.as_view(), name="work-list"),
    path("works/<uuid:id>/", api.WorkDetailApi.as_view(), name="work-detail"),
    path("works/<uuid:id>/notes/", api.WorkNoteApi.as_view(), name="work-notes"),
    path("works/<uuid:id>/generations/", api.WorkGenerationListApi.as_view(), name="work-generations"),
    path("works/<uuid:id>/takes/", api.WorkTakeListApi.as_view(), name="work-takes"),
    path("generations/<uuid:id>/", api.GenerationDetailApi.as_view(), name="generation-detail"),
    path("takes/<uuid:id>/", api.TakeDetailApi.as_view(), name="take-detail"),
    path("takes/<uuid:id>/audio/", api.TakeAudioApi.as_view(), name="take-audio"),
    path("takes/<uuid:id>/select/", api.TakeSelectApi.as_view(), name="take-select"),
    path("takes/<uuid:id>/edits/", api.TakeEditApi.as_view(), name="take-edits"),
    path("takes/<uuid:id>/replay/", api.TakeReplayApi.as_view(), name="take-replay"),
    path("takes/<uuid:id>/exports/", api.TakeExportApi.as_view(), name="take-exports"),
    path("exports/<uuid:id>/download/", api.ExportDownloadApi.as_view(), name="export-download"),
]
