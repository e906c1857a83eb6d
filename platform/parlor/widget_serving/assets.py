"""The built widget: the loader (/widget.js), the content-hashed app bundle, and the dashboard's
live-transcript bundle (the same client modules, for the agents' side)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from parlor.env import REPO_ROOT
from parlor.widget_serving.bundler import bundle

SOURCE_DIR = REPO_ROOT / "widget" / "src"
APP_PATH_PLACEHOLDER = "__PARLOR_APP_PATH__"


@dataclass(frozen=True)
class Asset:
    """One served script: its URL path, bytes, gzip bytes and strong ETag."""

    path: str
    content: bytes
    gzipped: bytes
    etag: str
    immutable: bool


@dataclass(frozen=True)
class WidgetBuild:
    """Every script the platform serves for the widget."""

    loader: Asset
    app: Asset
    dashboard: Asset

    def by_path(self, path: str) -> Asset | None:
        """Return the asset served at `path` (e.g. "widget/app.1a2b3c.js"), or None."""
        return next((a for a in (self.loader, self.app, self.dashboard) if a.path == path), None)


def build_widget(source_dir: Path = SOURCE_DIR) -> WidgetBuild:
    """Bundle the widget sources; the loader points at the app bundle's hashed path."""
    app = _hashed_asset("widget/app", bundle(source_dir / "app.js"))
    dashboard = _hashed_asset("widget/dashboard", bundle(source_dir / "dashboard.js"))
    loader_source = bundle(source_dir / "loader.js")
    if loader_source.count(APP_PATH_PLACEHOLDER) != 1:
        raise RuntimeError(f"loader.js must contain {APP_PATH_PLACEHOLDER} exactly once.")
    loader = _asset("widget.js", loader_source.replace(APP_PATH_PLACEHOLDER, "/" + app.path))
    return WidgetBuild(loader=loader, app=app, dashboard=dashboard)


def _hashed_asset(stem: str, source: str) -> Asset:
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return _asset(f"{stem}.{digest}.js", source, immutable=True)


def _asset(path: str, source: str, *, immutable: bool = False) -> Asset:
    content = source.encode()
    return Asset(
        path=path,
        content=content,
        gzipped=gzip.compress(content, compresslevel=9, mtime=0),
        etag=hashlib.sha256(content).hexdigest()[:32],
        immutable=immutable,
    )


_lock = threading.Lock()
_cache: dict[str, object] = {}


def widget_build() -> WidgetBuild:
    """Return the build, made once per process (and again when sources change under DEBUG)."""
    signature = _source_signature() if settings.DEBUG else "release"
    with _lock:
        if _cache.get("signature") != signature:
            _cache["build"] = build_widget()
            _cache["signature"] = signature
        return _cache["build"]  # type: ignore[return-value]


def _source_signature() -> str:
    files = sorted(SOURCE_DIR.glob("*.js"))
    return ";".join(f"{path.name}:{path.stat().st_mtime_ns}" for path in files)
