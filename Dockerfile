# Parlor's production image: the ASGI app, served by the server `make bench` chose.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/app/platform DJANGO_SETTINGS_MODULE=parlor.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN useradd --system parlor && chown -R parlor /app
USER parlor
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--websocket-max-message-size", "65536", "--websocket-max-frame-size", "65536", "parlor.asgi:application"]
