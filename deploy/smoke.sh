#!/usr/bin/env bash
# CI's "production smoke": the compose stack's processes, run outside containers with the
# same script (deploy/entrypoint.sh) and the environment of .env.example, then a short
# story over HTTP as the TLS proxy would send it (deploy/smoke_story.py).
# Its own database and Redis DB numbers, so it never touches the test passes' (CI: 14/15).
#   SMOKE_DB=phocap_smoke SMOKE_BROKER_DB=12 SMOKE_CACHE_DB=13 SMOKE_PORT=8100 deploy/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
started=$(date +%s)
say() { echo "smoke: $* ($(( $(date +%s) - started ))s)"; }

PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
DB=${SMOKE_DB:-phocap_smoke}
REDIS=${SMOKE_REDIS:-redis://127.0.0.1:6379}
PORT=${SMOKE_PORT:-8100}
RUN=$(mktemp -d "${TMPDIR:-/tmp}/phocap-smoke.XXXXXX")
pids=()

stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb --if-exists -h 127.0.0.1 -U postgres "$DB" 2>/dev/null || true
  rm -rf "$RUN"
}
fail() {
  echo "smoke FAILED: $*"
  for log in "$RUN"/*.log; do echo "--- $log (tail)"; tail -30 "$log"; done
  exit 1
}
trap stop EXIT

# The environment: .env.example as shipped (an operator copies it), a generated secret,
# and what docker-compose.yml and the Dockerfile set for the containers.
set -a
# shellcheck disable=SC1091
. ./.env.example
set +a
export PATH="$ROOT/.venv/bin:$PATH"
export SECRET_KEY="smoke-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DEBUG=0
export DATABASE_URL="$PG/$DB" CELERY_BROKER_URL="$REDIS/${SMOKE_BROKER_DB:-12}" CACHE_URL="$REDIS/${SMOKE_CACHE_DB:-13}"
export STATIC_ROOT="$RUN/static" STATIC_MANIFEST=1 MEDIA_ROOT="$RUN/media" BACKUP_ROOT="$RUN/backups"
export BEAT_SCHEDULE_FILE="$RUN/celerybeat-schedule" PORT BIND=127.0.0.1 WEB_WORKERS=2
# The story waits for the debounced rebuild; 2 s instead of 10 keeps the smoke short.
export COVERAGE_REBUILD_DELAY_S=2
# The story logs in once per run: no lock-out from a previous run's failures.
export AXES_ENABLED=0
HOST=${ALLOWED_HOSTS%%,*}

say "fresh database $DB, Redis DBs ${SMOKE_BROKER_DB:-12}/${SMOKE_CACHE_DB:-13}"
dropdb --if-exists -h 127.0.0.1 -U postgres "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
redis-cli -u "$CELERY_BROKER_URL" flushdb >/dev/null
redis-cli -u "$CACHE_URL" flushdb >/dev/null

say "static manifest, as the Dockerfile builds it (no secret, no .env)"
env -u SECRET_KEY -u ALLOWED_HOSTS -u DATABASE_URL DEBUG=0 python manage.py collectstatic --noinput >"$RUN/collectstatic.log" 2>&1 \
  || fail "collectstatic"
test -f "$STATIC_ROOT/staticfiles.json" || fail "no manifest"

say "migrate (the compose 'migrate' service)"
deploy/entrypoint.sh migrate >"$RUN/migrate.log" 2>&1 || fail "migrate"
python manage.py load_demo >"$RUN/load_demo.log" 2>&1 || fail "load_demo"
COMMUNE_CODE=$(python manage.py shell -v 0 -c "from phocap.areas.models import AdminUnit; print(AdminUnit.objects.get(scheme='legacy', level='commune', name='Côn Minh').code)" 2>/dev/null)

say "web, worker and beat through deploy/entrypoint.sh"
deploy/entrypoint.sh web >"$RUN/web.log" 2>&1 & pids+=($!)
deploy/entrypoint.sh worker >"$RUN/worker.log" 2>&1 & pids+=($!)
deploy/entrypoint.sh beat >"$RUN/beat.log" 2>&1 & pids+=($!)

say "waiting for the web health check (compose: deploy/entrypoint.sh healthcheck web)"
for _ in $(seq 60); do
  if deploy/entrypoint.sh healthcheck web >"$RUN/health.out" 2>&1; then break; fi
  sleep 1
done
deploy/entrypoint.sh healthcheck web >/dev/null 2>&1 || { cat "$RUN/health.out"; fail "web health check"; }
say "healthy: $(cut -c1-300 "$RUN/health.out")"

python deploy/smoke_story.py "$PORT" "$HOST" demo_xa phocap-demo "$COMMUNE_CODE" || fail "story"

say "every compose health check passes"
for kind in web worker beat; do
  deploy/entrypoint.sh healthcheck "$kind" >"$RUN/health-$kind.out" 2>&1 || { cat "$RUN/health-$kind.out"; fail "healthcheck $kind"; }
done
grep -q '"request_id"' "$RUN/web.log" || fail "web log lines are not structured JSON with a request id"
say "passed"
