FROM python:3.11-slim-bookworm
# Pango and fonts for WeasyPrint PDFs in Vietnamese; postgresql-client 15 (the server's
# major version) for `manage.py backup`/`restore`.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core gettext \
      postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    STATIC_ROOT=/app/staticfiles STATIC_MANIFEST=1 \
    MEDIA_ROOT=/srv/phocap/media BACKUP_ROOT=/srv/phocap/backups
WORKDIR /app
# Dependencies first (the project has no installable package), so code edits reuse this layer.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
# .dockerignore keeps .env, .venv, databases, uploads and .git out of this copy.
COPY . .
# The hashed static manifest is built here, with no secret: collectstatic is one of the
# commands settings run without SECRET_KEY/ALLOWED_HOSTS.
RUN DEBUG=0 python manage.py collectstatic --noinput
RUN useradd --create-home phocap && mkdir -p /srv/phocap/media /srv/phocap/backups \
    && chown -R phocap /srv/phocap
USER phocap
EXPOSE 8000
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["web"]
