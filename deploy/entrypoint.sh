#!/bin/sh
# The one way to run each phocap process. The Dockerfile and docker-compose.yml call it,
# and CI's production smoke (deploy/smoke.sh) runs the same lines outside containers.
#   deploy/entrypoint.sh migrate|web|worker|beat|backup|healthcheck [web|worker|beat]
# python, gunicorn and celery are taken from PATH (the image's, or .venv/bin in CI).
set -eu
cd "$(dirname "$0")/.."

cmd="${1:-web}"
[ $# -gt 0 ] && shift

case "$cmd" in
  migrate)
    exec python manage.py migrate --noinput
    ;;
  web)
    # No access log: the request middleware writes one structured line per request.
    exec gunicorn phocap.wsgi:application \
      --bind "${BIND:-0.0.0.0}:${PORT:-8000}" \
      --workers "${WEB_WORKERS:-3}" --timeout 120 --graceful-timeout 30 "$@"
    ;;
  worker)
    exec celery -A phocap worker --loglevel="${LOG_LEVEL:-INFO}" \
      --concurrency="${WORKER_CONCURRENCY:-2}" -Q "${CELERY_QUEUE:-phocap}" \
      --max-memory-per-child="${WORKER_MAX_MEMORY_KB:-1500000}" \
      --without-gossip --without-mingle "$@"
    ;;
  beat)
    exec celery -A phocap beat --loglevel="${LOG_LEVEL:-INFO}" \
      --schedule="${BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
    ;;
  backup)
    exec python manage.py backup "$@"
    ;;
  healthcheck)
    case "${1:-web}" in
      web) exec python deploy/healthcheck.py ;;
      worker)
        # This container's worker (celery@hostname) answers, and its heartbeat is fresh.
        celery -A phocap inspect ping --timeout 5 -d "celery@$(hostname)" >/dev/null
        exec python manage.py health worker ;;
      beat) exec python manage.py health beat ;;
      *) echo "healthcheck: web, worker or beat" >&2; exit 2 ;;
    esac
    ;;
  *)
    echo "usage: $0 migrate|web|worker|beat|backup|healthcheck [web|worker|beat]" >&2
    exit 2
    ;;
esac
