# Parlor's production image: the ASGI app, served by the server `make bench` chose.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/app/platform DJANGO_SETTINGS_MODULE=parlor.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
# The runtime dependencies only: not the dev extra (test tools), not the embedded PostgreSQL.
RUN pip install --no-cache-dir .
COPY . .
# The dashboard's static files, content-hashed and compressed; settings need only placeholders.
RUN DATABASE_URL=postgres://build@127.0.0.1:1/build REDIS_URL=redis://127.0.0.1:1/0 \
    ALLOWED_HOSTS=build.invalid SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system parlor && chown -R parlor /app
USER parlor
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# One server everywhere: parlor.serving builds the same command line as `make run`, the tests
# and the benchmark (uvicorn + uvloop, chosen over Daphne by `make bench`; frames over 64 KiB
# refused by the server; header and keep-alive timeouts). Forwarded headers are read by Parlor
# only, with PARLOR_TRUSTED_PROXY_COUNT (docker-compose.yml sets 1 for its nginx).
CMD ["python", "-m", "parlor.serving", "--host", "0.0.0.0", "--port", "8000"]
