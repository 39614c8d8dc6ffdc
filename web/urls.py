from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import creator, home, takes, verify

app_name = "web"

urlpatterns = [
    path("", home.HomePage.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", verify.VerifyPage.as_view(), name="verify"),
    path("works/", creator.WorkListPage.as_view(), name="work-list"),
    path("works/<uuid:id>/", creator.WorkPage.as_view(), name="work-detail"),
    path("works/<uuid:id>/generate/", takes.GenerateAction.as_view(), name="work-generate"),
    path("works/<uuid:id>/evidence/", takes.WorkEvidence.as_view(), name="work-evidence"),
    path("generations/<uuid:id>/status/", takes.GenerationStatus.as_view(), name="generation-status"),
    path("takes/<uuid:id>/audio/", takes.TakeAudio.as_view(), name="take-audio"),
    path("takes/<uuid:id>/waveform.svg", takes.TakeWaveform.as_view(), name="take-waveform"),
    path("takes/<uuid:id>/select/", takes.SelectAction.as_view(), name="take-select"),
    path("takes/<uuid:id>/edit/", takes.EditAction.as_view(), name="take-edit"),
    path("takes/<uuid:id>/export/", takes.ExportAction.as_view(), name="take-export"),
    path("exports/<uuid:id>/download/", takes.ExportDownload.as_view(), name="export-download"),
]
