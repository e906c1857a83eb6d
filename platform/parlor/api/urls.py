"""Routes of the HTTP API, version 1 (mounted at /api/v1/): the ninja application, then 404s."""

from django.urls import URLPattern, include, path, re_path

from parlor.api.application import api, problem_for_405
from parlor.api.docs import docs_asset
from parlor.api.problems import not_found


def _with_problem_405(patterns: list) -> list:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = problem_for_405(pattern.callback)
    return patterns


# Not module-level `app_name`: Django would take it as this urlconf's own namespace.
_routes, _ninja_app, _namespace = api.urls
urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", include((_with_problem_405(_routes), _ninja_app), namespace=_namespace)),
    re_path(r"^.*$", not_found),
]
