"""The demo tenant that `make run` serves: created once, kept between runs."""

from __future__ import annotations

from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_create

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.localhost"


def demo_origins(demo_page_url: str) -> list[str]:
    """Return the origins the demo tenant allows: the demo page on 127.0.0.1 and localhost."""
    port = demo_page_url.rsplit(":", 1)[-1].strip("/")
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


def demo_tenant_ensure(*, demo_page_url: str) -> Tenant:
    """Return the demo tenant, creating it (and the public tenant) on first run."""
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if tenant is not None:
        return tenant
    created = tenant_create(
        slug=DEMO_SLUG,
        name="Demo Shop",
        domain=DEMO_DOMAIN,
        allowed_origins=demo_origins(demo_page_url),
    )
    return created.tenant
