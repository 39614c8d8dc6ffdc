from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ops.api import HealthApi

api_patterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]), name="schema"
    ),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # Content-Security-Policy holds on the docs page too.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", permission_classes=[], authentication_classes=[]
        ),
        name="docs",
    ),
    path("", include("accounts.urls")),
    path("", include("provenance.urls")),
    path("", include("generation.urls")),
    path("", include("similarity.urls")),
    path("", include("legal.urls")),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("", include("web.urls")),
]

handler404 = "config.error_handlers.page_not_found"
handler500 = "config.error_handlers.server_error"
