from django.urls import path

from similarity import api

urlpatterns = [
    path("catalogues/", api.CatalogueListApi.as_view(), name="catalogue-list"),
    path("match/", api.MatchApi.as_view(), name="match"),
]
