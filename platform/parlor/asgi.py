"""The ASGI application, composed in one place.

HTTP goes through Django, behind the attachments' upload size guard. A WebSocket goes through
the token and origin middleware, then the URL router, then the chat consumer.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlor.settings.local")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from parlor.attachments.upload_guard import UploadSizeGuard  # noqa: E402
from parlor.chat.routing import websocket_urlpatterns  # noqa: E402
from parlor.realtime.middleware import TokenAuthMiddleware  # noqa: E402


def websocket_application():
    """Return the ASGI application that serves every WebSocket connection."""
    return TokenAuthMiddleware(URLRouter(websocket_urlpatterns))


application = ProtocolTypeRouter(
    {
        # Uploads over their grant's limit are refused before Django reads their body.
        "http": UploadSizeGuard(django_asgi_app),
        "websocket": websocket_application(),
    }
)
