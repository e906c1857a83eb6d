"""URLs of the widget's scripts."""

from django.urls import path

from parlor.widget_serving import views

urlpatterns = [
    path("widget.js", views.loader, name="widget-loader"),
    path("widget/<str:name>", views.asset, name="widget-asset"),
]
