"""Top-level HTTP routes; each area owns its own urls module."""

from django.urls import include, path

from parlor.observability.views import metrics

urlpatterns = [
    path("", include("parlor.health.urls")),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include("parlor.api.urls")),
    path("dashboard/", include("parlor.dashboard.urls")),
    path("followup/", include("parlor.followup.urls")),
    path("operator/", include("parlor.console.urls")),
    path("", include("parlor.demo.urls")),
    path("", include("parlor.widget_serving.urls")),
]
