from django.urls import path

from legal import api

urlpatterns = [
    path("works/<uuid:id>/assessment/", api.WorkAssessmentApi.as_view(), name="work-assessment"),
    path("training-summaries/", api.TrainingSummaryApi.as_view(), name="training-summaries"),
]
