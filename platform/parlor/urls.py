"""Top-level HTTP routes; each area owns its own urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("parlor.health.urls")),
    path("api/v1/", include("parlor.api.urls")),
    path("", include("parlor.demo.urls")),
]
