from django.urls import path

from similarity import api

urlpatterns = [
    path("catalogues/", api.CatalogueListApi.as_view(), name="catalogue-list"),
    path("match/", api.MatchApi.as_view(), name="match"),
    path("scans/", api.ScanListApi.as_view(), name="scan-list"),
    path("scans/<uuid:id>/", api.ScanDetailApi.as_view(), name="scan-detail"),
    path("scans/<uuid:id>/report/", api.ScanReportApi.as_view(), name="scan-report"),
]
