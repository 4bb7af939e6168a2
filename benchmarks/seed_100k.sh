#!/usr/bin/env bash
# Seed 100,000 demo shops into a fresh PostgreSQL database and print the seconds taken.
#
#   benchmarks/seed_100k.sh
#
# Settings (environment): PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres),
# PGPASSWORD if needed, BENCH_DB (portal_seed_bench), SHOPS (100000),
# PYTHON (.venv/bin/python), KEEP_DB=1 to keep the database afterwards.
# The target is under 120 seconds on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB="${BENCH_DB:-portal_seed_bench}"
SHOPS="${SHOPS:-100000}"
PYTHON="${PYTHON:-.venv/bin/python}"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.base}"

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
drop_db() { psql_admin -c "DROP DATABASE IF EXISTS \"${DB}\" WITH (FORCE)"; }
if [[ "${KEEP_DB:-0}" != 1 ]]; then trap drop_db EXIT; fi

drop_db
psql_admin -c "CREATE DATABASE \"${DB}\""
echo "database ${DB}: migrate and load_masters"
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py load_masters

echo "seed_demo --shops ${SHOPS}"
TIMEFORMAT="time: real %3R s, user %3U s, sys %3S s"
start=$(date +%s.%N)
time "$PYTHON" manage.py seed_demo --shops "$SHOPS"
end=$(date +%s.%N)
seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')

psql -d "$DB" -At -c "SELECT 'shops: ' || count(*) FROM shops_shop" \
  -c "SELECT 'benefits: ' || count(*) FROM shops_shopbenefit"
echo "seed_demo --shops ${SHOPS} took ${seconds} seconds"
