#!/usr/bin/env bash
# Import a realistic legacy export (operations/legacy/sample_export.py: CP932, every
# class of fault mixed in) of 8,500 shops and 300,000 users (the real scale) into a
# fresh PostgreSQL database: a dry run, the first import, the same export again (nothing
# changes), then the later export (a delta: shops deleted, favourites moved); print the
# seconds each took and the load average. Target: under 600 s for the first import.
#
#   nice -n 10 benchmarks/legacy_import.sh
#
# Settings (environment): PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres),
# BENCH_DB (portal_legacy_bench), SHOPS (8500), USERS (300000),
# PYTHON (.venv/bin/python), KEEP_DB=1 to keep the database afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB="${BENCH_DB:-portal_legacy_bench}"
SHOPS="${SHOPS:-8500}"
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
"$PYTHON" benchmarks/legacy_export_make.py "$EXPORT/1" --shops "$SHOPS" --users "$USERS"
"$PYTHON" benchmarks/legacy_export_make.py "$EXPORT/2" --shops "$SHOPS" --users "$USERS" --delta

# Row faults make import_legacy exit 1 (they are listed): that is expected here.
run() {
  local start end
  start=$(date +%s.%N)
  "$PYTHON" manage.py import_legacy "$@" | sed -n '1,30p' >&2 || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dry=$(run "$EXPORT/1" --dry-run)
first=$(run "$EXPORT/1" --rows "$EXPORT/rows-1.csv")
echo "load average after the first import: $(cut -d' ' -f1-3 /proc/loadavg)"
second=$(run "$EXPORT/1")
delta=$(run "$EXPORT/2" --unpublish-missing)
psql -d "$DB" -At -c "SELECT 'shops: ' || count(*) || ' (live ' || count(*) FILTER (WHERE live) || ')' FROM shops_shop" \
  -c "SELECT 'members: ' || count(*) FROM members_member" \
  -c "SELECT 'favourites: ' || count(*) FROM members_favourite"
echo "rows needing a decision (first import): $(($(wc -l < "$EXPORT/rows-1.csv") - 1))"
echo "dry run: $dry s; first import: $first s; same export again: $second s; delta: $delta s"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
