from django.urls import path

from similarity import api

urlpatterns = [
    path("catalogues/", api.CatalogueListApi.as_view(), name="catalogue-list"),
    path("catalogues/<uuid:id>/", api.CatalogueDetailApi.as_view(), name="catalogue-detail"),
    path("catalogues/<uuid:id>/recordings/", api.RecordingListApi.as_view(), name="recording-list"),
    path("catalogues/<uuid:id>/ingestions/", api.IngestionListApi.as_view(), name="ingestion-list"),
    path("ingestions/<uuid:id>/", api.IngestionDetailApi.as_view(), name="ingestion-detail"),
    path("match/", api.MatchApi.as_view(), name="match"),
    path("scans/", api.ScanListApi.as_view(), name="scan-list"),
    path("scans/<uuid:id>/", api.ScanDetailApi.as_view(), name="scan-detail"),
    path("scans/<uuid:id>/report/", api.ScanReportApi.as_view(), name="scan-report"),
]
