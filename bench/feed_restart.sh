#!/usr/bin/env bash
# The first feed request after a restart: jointcal serves a feed, stops
# (SIGTERM, which writes the fetch statistics and the rendered blocks),
# starts again, and the feed is fetched once at once and, after the
# "feeds warmed" log line, once with gzip (as calendar clients ask) and
# once without. Last, the feed's fetch history is cleared, so
# that the warm-up leaves it alone, and it is fetched on a new process,
# plain and then, on another, gzip: from the blocks stored in the
# database (feed_blocks), where a build keeps them, otherwise read and
# rendered. Needs sqlite3 and gzip.
# Usage: BENCH_DB=/path/to/10k.db bench/feed_restart.sh
# (BENCH_DB: a SQLite file filled by `jointcal demo --scale 10000`; it is
# copied, not changed.) JOINTCAL_BIN: a built jointcal (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_DB:?set BENCH_DB to a database made by jointcal demo --scale}"
WORK="$(mktemp -d)"
PORT=18091
TOKEN="bench-admin-token-0123456789abcdef"
cleanup() { [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null || true; [ -n "${KEEP_LOG:-}" ] && cp "$WORK/serve.log" "$KEEP_LOG"; rm -rf "$WORK"; }
trap cleanup EXIT
if [ -n "${JOINTCAL_BIN:-}" ]; then cp "$JOINTCAL_BIN" "$WORK/jointcal"; else go build -o "$WORK/jointcal" ./cmd/jointcal; fi
cp "$BENCH_DB" "$WORK/bench.db"
export JOINTCAL_DATABASE_URL="$WORK/bench.db" JOINTCAL_LISTEN="127.0.0.1:$PORT" JOINTCAL_SCHEDULER=off \
  JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_LOG_FORMAT=json JOINTCAL_MAX_FEEDS_PER_OWNER=100
start() {
  : > "$WORK/serve.log"  # one start's log at a time
  "$WORK/jointcal" serve >> "$WORK/serve.log" 2>&1 &
  JPID=$!
  for _ in $(seq 1 400); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.05; done
}
stop() { kill "$JPID"; wait "$JPID" 2>/dev/null || true; JPID=; }
tget() { curl -fs -o /dev/null -w "$1: first byte %{time_starttransfer}s, total %{time_total}s, %{size_download} bytes\n" "$2"; }
tgetgz() { # the body is checked with gzip -t
  curl -fs -H 'Accept-Encoding: gzip' -o "$WORK/body.gz" -w "$1: first byte %{time_starttransfer}s, total %{time_total}s, %{size_download} bytes" "$2"
  if gzip -t "$WORK/body.gz"; then echo " (gzip -t: ok)"; else echo " (gzip -t: NOT a whole gzip file)"; fi
}

start
FEED=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"EU","owner":{"type":"organization","id_or_code":"EU"}}' "http://127.0.0.1:$PORT/api/v1/feeds" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
tget "first fetch ever (cold)" "$FEED"
stop
start
tget "first fetch right after the restart (warm-up running)" "$FEED"
stop
start
for _ in $(seq 1 600); do grep -q '"feeds warmed"' "$WORK/serve.log" && break; sleep 0.1; done
grep '"feeds warmed"' "$WORK/serve.log" | tail -1
tgetgz "first gzip fetch after the warm-up" "$FEED"
tget "first fetch after the warm-up" "$FEED"
tget "second fetch" "$FEED"
stop
sqlite3 "$WORK/bench.db" 'UPDATE feeds SET last_fetched_at = NULL'
start
tget "first fetch on a new process, no warm-up (fetch history cleared)" "$FEED"
tget "second fetch" "$FEED"
stop
sqlite3 "$WORK/bench.db" 'UPDATE feeds SET last_fetched_at = NULL'
start
tgetgz "first gzip fetch on a new process, no warm-up (fetch history cleared)" "$FEED"
tgetgz "second gzip fetch" "$FEED"
stop
if [ -n "$(sqlite3 "$WORK/bench.db" "SELECT name FROM sqlite_master WHERE name = 'feed_blocks'")" ]; then
  echo "feed_blocks (blocks|bytes of data): $(sqlite3 "$WORK/bench.db" 'SELECT COUNT(*), SUM(LENGTH(data)) FROM feed_blocks'); database file $(stat -c %s "$WORK/bench.db") bytes, copied from $(stat -c %s "$BENCH_DB")"
fi
