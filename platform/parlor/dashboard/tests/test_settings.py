"""Widget look and allowed origins: validated, saved for this tenant only, errors named."""

from __future__ import annotations

import pytest

from parlor.dashboard.tests.conftest import login
from tenants.models import Tenant


@pytest.fixture
def restore_alpha(live_db):
    """Put alpha's origins and widget settings back: other tests rely on them."""
    tenant = Tenant.objects.get(slug="alpha")
    origins, look = list(tenant.allowed_origins), dict(tenant.widget_settings or {})
    yield
    Tenant.objects.filter(slug="alpha").update(allowed_origins=origins, widget_settings=look)


LOOK = {
    "form": "look",
    "title": "Alpha help",
    "color": "#112233",
    "position": "left",
    "greeting": "Hello <b>there</b>",
    "avatar_url": "https://cdn.alpha.example/a.png",
    "locale": "es",
}


def test_the_settings_page_shows_the_current_look_and_origins(alpha_staff):
    page = login(alpha_staff).get("/dashboard/settings").content.decode()
    assert "https://shop.alpha.example" in page
    assert alpha_staff.created.tenant.publishable_key in page


def test_saving_the_look_changes_this_tenant_only(alpha_staff, restore_alpha):
    bravo_before = Tenant.objects.get(slug="bravo").widget_settings
    response = login(alpha_staff).post("/dashboard/settings", LOOK)
    assert response.status_code == 302
    saved = Tenant.objects.get(slug="alpha").widget_settings
    assert {key: saved[key] for key in LOOK if key != "form"} == {
        key: value for key, value in LOOK.items() if key != "form"
    }
    assert Tenant.objects.get(slug="bravo").widget_settings == bravo_before
    page = login(alpha_staff).get("/dashboard/settings").content.decode()
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("color", "red", "Enter a color like #4f46e5."),
        ("position", "top", "Select a valid choice"),
        ("avatar_url", "http://cdn.alpha.example/a.png", "https://"),
        ("avatar_url", "javascript:alert(1)", "Enter a valid URL"),
        ("locale", "english please", "Enter a language code"),
        ("title", "t" * 81, "at most 80 characters"),
    ],
)
def test_a_bad_look_is_refused_with_the_field_named_and_nothing_saved(
    alpha_staff, restore_alpha, field, value, error
):
    before = Tenant.objects.get(slug="alpha").widget_settings
    response = login(alpha_staff).post("/dashboard/settings", {**LOOK, field: value})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Tenant.objects.get(slug="alpha").widget_settings == before


def test_origins_are_normalised_and_saved(alpha_staff, restore_alpha):
    lines = "HTTPS://Shop.Alpha.Example:443/\n\nhttp://127.0.0.1:8001\nhttp://localhost:3000\n"
    response = login(alpha_staff).post("/dashboard/settings", {"form": "origins", "origins": lines})
    assert response.status_code == 302
    assert Tenant.objects.get(slug="alpha").allowed_origins == [
        "http://127.0.0.1:8001",
        "http://localhost:3000",
        "https://shop.alpha.example",
    ]


def test_bad_origins_are_named_by_line_and_nothing_is_saved(alpha_staff, restore_alpha):
    before = Tenant.objects.get(slug="alpha").allowed_origins
    lines = "https://ok.example\nshop.example\nhttps://x.example/path\n<script>"
    response = login(alpha_staff).post("/dashboard/settings", {"form": "origins", "origins": lines})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: &#x27;shop.example&#x27; is not an origin" in page
    assert "Line 3: &#x27;https://x.example/path&#x27;" in page
    assert "Line 4: &#x27;&lt;script&gt;&#x27;" in page
    assert "<script>" not in page
    assert Tenant.objects.get(slug="alpha").allowed_origins == before
