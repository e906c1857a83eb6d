"""Routes of the operator console (mounted at /operator/; answered on the platform host only)."""

from django.urls import path

from parlor.console import views

app_name = "console"

urlpatterns = [
    path("", views.tenants, name="tenants"),
    path("login", views.ConsoleLoginView.as_view(), name="login"),
    path("logout", views.ConsoleLogoutView.as_view(), name="logout"),
    path("audit", views.audit, name="audit"),
    path("tenants/<slug:slug>", views.tenant, name="tenant"),
    path("tenants/<slug:slug>/quotas", views.tenant_quotas, name="tenant-quotas"),
    path("tenants/<slug:slug>/suspend", views.tenant_suspend_view, name="tenant-suspend"),
    path("tenants/<slug:slug>/resume", views.tenant_resume_view, name="tenant-resume"),
    path("tenants/<slug:slug>/delete", views.tenant_delete, name="tenant-delete"),
]
