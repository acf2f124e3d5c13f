#!/usr/bin/env bash
# Scale-out on PostgreSQL: one, then two, then three `jointcal serve`
# processes on loopback ports against one database, each step driven by
# `jointcal-bench mixed` (70 % reads and feeds, 20 % conflict checks, 10 %
# bookings, a share of them racing for the same slot through different
# processes) for a bounded time; then a table of throughput, p50/p99 and
# double-bookings (counted in PostgreSQL after each step; must be 0).
#
# Usage: bench/scaleout.sh
# Settings (environment):
#   PGHOST, PGPORT, PGUSER  PostgreSQL to use (default 127.0.0.1, 5432, postgres; trust auth)
#   BENCH_DBNAME            database to drop and create afresh (default jc_scaleout)
#   SCALE                   activities generated with `demo --scale` (default 3000)
#   DURATION, WARMUP        measured time and unmeasured warm-up per step (default 30s, 5s)
#   CONCURRENCY             concurrent clients of the load generator (default 16)
#   COLLIDE                 share of bookings aimed at contested slots (default 0.5)
#   STEPS                   process counts to run (default "1 2 3")
#   JOINTCAL_BIN, BENCH_BIN built binaries to use (default: build both)
#   KEEP_LOGS               a directory to copy the serve logs and load reports to
#
# Only the first process runs the scheduled jobs (JOINTCAL_SCHEDULER=on);
# the others serve requests only (JOINTCAL_SCHEDULER=off), as
# docs/DEPLOYMENT.md recommends.
set -euo pipefail
cd "$(dirname "$0")/.."
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DBNAME="${BENCH_DBNAME:-jc_scaleout}"
SCALE="${SCALE:-3000}" DURATION="${DURATION:-30s}" WARMUP="${WARMUP:-5s}"
CONCURRENCY="${CONCURRENCY:-16}" COLLIDE="${COLLIDE:-0.5}" STEPS="${STEPS:-1 2 3}"
BASEPORT=18200
TOKEN="scaleout-admin-token-0123456789abcdef"
DBURL="postgres://$PGUSER@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
WORK="$(mktemp -d)"
PIDS=()

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_all
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$KEEP_LOGS"/ 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${JOINTCAL_BIN:-}" ]; then cp "$JOINTCAL_BIN" "$WORK/jointcal"; else go build -o "$WORK/jointcal" ./cmd/jointcal; fi
if [ -n "${BENCH_BIN:-}" ]; then cp "$BENCH_BIN" "$WORK/jointcal-bench"; else go build -o "$WORK/jointcal-bench" ./cmd/jointcal-bench; fi
unset JOINTCAL_BIN  # not a setting of jointcal: it would warn about it

echo "== database $DBNAME on $PGHOST:$PGPORT (dropped and created afresh)"
dropdb --if-exists "$DBNAME"
createdb "$DBNAME"
export JOINTCAL_DATABASE_URL="$DBURL" JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_LOG_FORMAT=json \
  JOINTCAL_MAIL_DIR="$WORK/mail" JOINTCAL_MAX_FEEDS_PER_OWNER=100
mkdir -p "$WORK/mail"
"$WORK/jointcal" migrate
"$WORK/jointcal" demo
"$WORK/jointcal" demo --scale "$SCALE"
# Statistics for the planner now, as after any bulk load: autovacuum
# would take its time, and until then PostgreSQL probed the occurrences
# once per activity for an activity list (88 ms instead of 5 ms at 3,000).
psql -qc "ANALYZE" "$DBNAME"
psql -qAtc "SELECT count(*) || ' activities, ' || (SELECT count(*) FROM occurrences) || ' occurrences' FROM activities" "$DBNAME"

# start_processes N starts N serve processes on BASEPORT+1..N; the first
# runs the scheduled jobs. It waits until each answers /readyz and has
# warmed its feeds (the warm-up renders the feeds fetched before).
start_processes() {
  local n=$1 i port sched
  for i in $(seq 1 "$n"); do
    port=$((BASEPORT + i))
    sched=off
    [ "$i" -eq 1 ] && sched=on
    JOINTCAL_LISTEN="127.0.0.1:$port" JOINTCAL_SCHEDULER=$sched "$WORK/jointcal" serve > "$WORK/serve-$n-$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in $(seq 1 "$n"); do
    port=$((BASEPORT + i))
    for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "process $i did not become ready:"; cat "$WORK/serve-$n-$i.log"; exit 1; }
    for _ in $(seq 1 300); do grep -q '"feeds warmed"' "$WORK/serve-$n-$i.log" && break; sleep 0.1; done
  done
}

ROWS=()
for n in $STEPS; do
  urls=""
  for i in $(seq 1 "$n"); do urls="$urls${urls:+,}http://127.0.0.1:$((BASEPORT + i))"; done
  echo
  echo "== $n process(es): $urls (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  start_processes "$n"
  "$WORK/jointcal-bench" mixed --urls "$urls" --token "$TOKEN" --duration "$DURATION" --warmup "$WARMUP" \
    --concurrency "$CONCURRENCY" --collide "$COLLIDE" --verify-db "$DBURL" --label "$n" --seed "$n" | tee "$WORK/mixed-$n.log"
  ROWS+=("$(tail -1 "$WORK/mixed-$n.log")")
  errors=$(cat "$WORK"/serve-"$n"-*.log | grep -c '"level":"ERROR"' || true)
  warnings=$(cat "$WORK"/serve-"$n"-*.log | grep -c '"level":"WARN"' || true)
  echo "serve logs: $errors error lines, $warnings warnings (503s for busy feed renders during the warm-up are logged as errors)"
  stop_all
done

echo
echo "== $(nproc) cores; $SCALE generated activities; $CONCURRENCY clients; $DURATION measured per step after $WARMUP"
echo "| processes | requests/s | reads+feeds/s | feeds/s | reads p50/p99 ms | check p50/p99 ms | book, contested book p50/p99 ms | 201 / 409 / other | contested slots won once | double-bookings |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
