#!/usr/bin/env bash
# Cold feeds on new processes: on a copy of BENCH_DB, jointcal serves the
# EU feed once (which stores its blocks and head) and stops; with
# PREFILL=n it is fetched n more times on new processes, so that every
# block is stored (the block writer drops what passes its queue during a
# large first render). The feed's fetch history is then cleared, so that
# no warm-up runs, and on a new process each the full feed and next
# month's window are fetched twice (first request, then the cached one);
# the md5 of each first body is printed, to compare builds. Needs sqlite3.
# Usage: BENCH_DB=/path/to/10k.db [JOINTCAL_BIN=...] [PREFILL=n] bench/feed_cold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_DB:?set BENCH_DB to a database made by jointcal demo --scale}"
WORK="$(mktemp -d)"
PORT=18092
TOKEN="bench-admin-token-0123456789abcdef"
cleanup() { [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
if [ -n "${JOINTCAL_BIN:-}" ]; then cp "$JOINTCAL_BIN" "$WORK/jointcal"; else go build -o "$WORK/jointcal" ./cmd/jointcal; fi
cp "$BENCH_DB" "$WORK/bench.db"
export JOINTCAL_DATABASE_URL="$WORK/bench.db" JOINTCAL_LISTEN="127.0.0.1:$PORT" JOINTCAL_SCHEDULER=off \
  JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_MAX_FEEDS_PER_OWNER=100
start() {
  "$WORK/jointcal" serve > "$WORK/serve.log" 2>&1 &
  JPID=$!
  for _ in $(seq 1 400); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.05; done
}
stop() { kill "$JPID"; wait "$JPID" 2>/dev/null || true; JPID=; }
tget() { curl -fs -o "$3" -w "$1: first byte %{time_starttransfer}s, total %{time_total}s, %{size_download} bytes\n" "$2"; }

start
FEED=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"EU","owner":{"type":"organization","id_or_code":"EU"}}' "http://127.0.0.1:$PORT/api/v1/feeds" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
tget "first fetch ever" "$FEED" /dev/null
stop
for _ in $(seq 1 "${PREFILL:-0}"); do start; curl -fs -o /dev/null "$FEED"; stop; done
echo "stored blocks: $(sqlite3 "$WORK/bench.db" 'SELECT COUNT(*) FROM feed_blocks')"
first=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m-%dT00:00:00Z)
last=$(date -u -d "$(date -u +%Y-%m-01) +2 month" +%Y-%m-%dT00:00:00Z)
for what in full month; do
  url=$FEED
  [ "$what" = month ] && url="$FEED?from=$first&to=$last"
  sqlite3 "$WORK/bench.db" 'UPDATE feeds SET last_fetched_at = NULL'
  start
  tget "$what, new process, no warm-up" "$url" "$WORK/$what.1"
  tget "$what, second request" "$url" "$WORK/$what.2"
  cmp -s "$WORK/$what.1" "$WORK/$what.2" || echo "$what: the first and second bodies differ"
  echo "$what md5: $(md5sum < "$WORK/$what.1" | cut -c1-32)"
  stop
done
