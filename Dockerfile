# Parlor's production image: the ASGI app, served by the server `make bench` chose.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/app/platform DJANGO_SETTINGS_MODULE=parlor.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# The dashboard's static files, content-hashed and compressed; settings need only placeholders.
RUN DATABASE_URL=postgres://build@127.0.0.1:1/build SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system parlor && chown -R parlor /app
USER parlor
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# uvicorn + uvloop with the sans-I/O websockets implementation: chosen over Daphne by `make bench`
# (less CPU per delivery, per stored message and per connect); frames over 64 KiB are refused
# by the server itself, compression is off, and the proxy's X-Forwarded-* headers are trusted.
CMD ["uvicorn", "--host", "0.0.0.0", "--port", "8000", "--loop", "uvloop", "--http", "httptools", \
     "--ws", "websockets-sansio", "--ws-max-size", "65536", "--ws-per-message-deflate", "false", \
     "--proxy-headers", "--forwarded-allow-ips", "*", "--no-access-log", "parlor.asgi:application"]
