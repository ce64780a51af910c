FROM python:3.11-slim-bookworm
# Pango and fonts for WeasyPrint PDFs in Vietnamese.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Dependencies first (the project has no installable package), so code edits reuse this layer.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=1 STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput
RUN useradd --create-home phocap && mkdir -p /srv/phocap/media && chown -R phocap /srv/phocap
USER phocap
EXPOSE 8000
CMD ["gunicorn", "phocap.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
