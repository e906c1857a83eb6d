"""Routes of follow-up mail's pages (mounted at /followup/)."""

from django.urls import path

from parlor.followup import views

urlpatterns = [
    path("unsubscribe/<str:token>", views.unsubscribe, name="followup-unsubscribe"),
]
