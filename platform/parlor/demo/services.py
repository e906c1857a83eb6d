"""The demo tenant that `make run` serves: created once, kept between runs."""

from __future__ import annotations

from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_create

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.localhost"
DEMO_WIDGET_SETTINGS = {
    "title": "Demo Shop support",
    "color": "#0f766e",
    "position": "right",
    "greeting": "Hi! Ask us anything about your order. An agent answers from the dashboard.",
    "avatar_url": "",
    "locale": "",
}


def demo_origins(demo_page_url: str) -> list[str]:
    """Return the origins the demo tenant allows: the demo page on 127.0.0.1 and localhost."""
    port = demo_page_url.rsplit(":", 1)[-1].strip("/")
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


def demo_tenant_ensure(*, demo_page_url: str) -> Tenant:
    """Return the demo tenant, creating it (and the public tenant) on first run; its origins
    and widget settings are brought up to date on every run."""
    public_tenant_ensure()
    origins = demo_origins(demo_page_url)
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if tenant is None:
        tenant = tenant_create(
            slug=DEMO_SLUG, name="Demo Shop", domain=DEMO_DOMAIN, allowed_origins=origins
        ).tenant
    tenant.allowed_origins = sorted(set(tenant.allowed_origins) | set(origins))
    tenant.widget_settings = {**DEMO_WIDGET_SETTINGS, **(tenant.widget_settings or {})}
    tenant.save(update_fields=["allowed_origins", "widget_settings"])
    return tenant
