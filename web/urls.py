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

# Rights-holder and compliance pages (issue 8 part B).
from web.views import compliance, rights, scans, statements  # noqa: E402

urlpatterns += [
    path("catalogues/", rights.CatalogueListPage.as_view(), name="catalogue-list"),
    path("catalogues/<uuid:id>/", rights.CataloguePage.as_view(), name="catalogue-detail"),
    path("ingestions/<uuid:id>/", rights.IngestionPage.as_view(), name="ingestion-detail"),
    path("recordings/<uuid:id>/audio/", rights.RecordingAudio.as_view(), name="recording-audio"),
    path("matches/", rights.MatchListPage.as_view(), name="match-list"),
    path("matches/<uuid:id>/", rights.MatchPage.as_view(), name="match-detail"),
    path("scans/", scans.ScanListPage.as_view(), name="scan-list"),
    path("scans/<uuid:id>/", scans.ScanPage.as_view(), name="scan-detail"),
    path("scans/<uuid:id>/report.csv", scans.ScanCsv.as_view(), name="scan-csv"),
    path("statements/", statements.StatementListPage.as_view(), name="statement-list"),
    path("statements/<uuid:id>/", statements.StatementPage.as_view(), name="statement-detail"),
    path(
        "statements/<uuid:id>/<str:kind>/", statements.StatementDownload.as_view(), name="statement-download"
    ),
    path("compliance/", compliance.ExportsPage.as_view(), name="compliance"),
    path("compliance/policy/", compliance.PolicyPage.as_view(), name="compliance-policy"),
    path("compliance/training-summary/", compliance.TrainingSummaryPage.as_view(), name="training-summary"),
]
