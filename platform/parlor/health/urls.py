"""URLs of the health probes."""

from django.urls import path

from parlor.health import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
