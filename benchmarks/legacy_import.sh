#!/usr/bin/env bash
# Import a synthetic legacy export of 100,000 shops and 300,000 users into a fresh
# PostgreSQL database, twice (the first import, then the delta run over the same
# export), and print the seconds each took. Target: under 600 s for the first run.
#
#   nice -n 10 benchmarks/legacy_import.sh
#
# Settings (environment): PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres),
# BENCH_DB (portal_legacy_bench), SHOPS (100000), USERS (300000),
# PYTHON (.venv/bin/python), KEEP_DB=1 to keep the database afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB="${BENCH_DB:-portal_legacy_bench}"
SHOPS="${SHOPS:-100000}"
USERS="${USERS:-300000}"
PYTHON="${PYTHON:-.venv/bin/python}"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.base}"
EXPORT="$(mktemp -d)"

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
cleanup() {
  rm -rf "$EXPORT"
  if [[ "${KEEP_DB:-0}" != 1 ]]; then psql_admin -c "DROP DATABASE IF EXISTS \"${DB}\" WITH (FORCE)"; fi
}
trap cleanup EXIT

psql_admin -c "DROP DATABASE IF EXISTS \"${DB}\" WITH (FORCE)"
psql_admin -c "CREATE DATABASE \"${DB}\""
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py load_masters
"$PYTHON" benchmarks/legacy_export_make.py "$EXPORT" --shops "$SHOPS" --users "$USERS"

run() {
  local start end
  start=$(date +%s.%N)
  "$PYTHON" manage.py import_legacy "$EXPORT" | sed -n '1,12p'
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}
first=$(run)
echo "$first" | sed '$d'
second=$(run)
echo "$second" | sed '$d'
psql -d "$DB" -At -c "SELECT 'shops: ' || count(*) FROM shops_shop" \
  -c "SELECT 'members: ' || count(*) FROM members_member" \
  -c "SELECT 'favourites: ' || count(*) FROM members_favourite"
echo "first import: $(echo "$first" | tail -1) s; second (delta, nothing changed): $(echo "$second" | tail -1) s"
