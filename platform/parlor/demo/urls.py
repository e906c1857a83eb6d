"""URLs of the platform's landing page and the demo agent page."""

from django.urls import path

from parlor.demo import views

urlpatterns = [
    path("", views.index, name="index"),
    path("demo/agent/", views.agent_console, name="demo-agent"),
]
