"""URL of the platform's landing page."""

from django.urls import path

from parlor.demo import views

urlpatterns = [
    path("", views.index, name="index"),
]
