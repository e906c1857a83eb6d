"""The dashboard's static files (CSS, images) served by the app itself, through WhiteNoise.

Parlor ships one ASGI process and no separate file server, so the files `collectstatic` puts
under STATIC_ROOT, with content-hashed names and gzip/brotli copies, are served from here:
hashed names are cached for a year (`immutable`), the rest revalidated.
"""

from __future__ import annotations

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, async-capable: a request for anything but a static file passes straight on.

    WhiteNoise's own middleware is sync-only, which would make Django run every request (the
    async health and API views too) through a thread; here only a static file's lookup and
    read do.
    """

    sync_capable = False
    async_capable = True

    def __init__(self, get_response) -> None:
        # Django hands an async-only middleware an async get_response, under WSGI too.
        super().__init__(get_response)
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(static_response)(static_file, request)
        return await self.get_response(request)


def static_response(static_file, request: HttpRequest) -> HttpResponse:
    """Return WhiteNoise's answer for `static_file` with the file read into memory."""
    # WhiteNoise streams from a file object, which Django's ASGI handler can only consume
    # synchronously (a warning on every response); the dashboard's files are a few KiB.
    served = static_file.get_response(request.method, request.META)
    body = b""
    if served.file is not None:
        with served.file as file:
            body = file.read()
    response = HttpResponse(body, status=int(served.status))
    del response["Content-Type"]
    for name, value in served.headers:
        response[name] = value
    return response
