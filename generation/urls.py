from django.urls import path

from generation import api

urlpatterns = [
    path("works/", api.WorkListApi.as_view(), name="work-list"),
    path("works/<uuid:id>/", api.WorkDetailApi.as_view(), name="work-detail"),
    path("works/<uuid:id>/notes/", api.WorkNoteApi.as_view(), name="work-notes"),
]
