#!/usr/bin/env bash
# The gzip form of a whole feed: its size, the first gzip answer of a
# version (the layout cached, nothing compressed yet), and repeated gzip
# GETs with wrk. The body is checked with gzip -t.
# Needs: go, curl, python3, gzip, wrk (apt-get install wrk).
# Usage: bench/feed_gzip.sh [seconds of wrk, default 8]
# Environment: JOINTCAL_BIN (a built jointcal to measure instead of
# building this tree); BENCH_DB (a SQLite file filled by `jointcal demo
# --scale`, copied; otherwise 10,000 activities are generated).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-8}"
WORK="$(mktemp -d)"
PORT=18092
TOKEN="bench-admin-token-0123456789abcdef"
cleanup() {
  [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk curl python3 gzip; do
  command -v "$tool" >/dev/null || { echo "bench/feed_gzip.sh needs $tool"; exit 2; }
done
if [ -n "${JOINTCAL_BIN:-}" ]; then
  cp "$JOINTCAL_BIN" "$WORK/jointcal"
else
  go build -o "$WORK/jointcal" ./cmd/jointcal
fi
export JOINTCAL_DATABASE_URL="$WORK/bench.db" JOINTCAL_LISTEN="127.0.0.1:$PORT" JOINTCAL_SCHEDULER=off \
  JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_LOG_LEVEL=warn JOINTCAL_MAX_FEEDS_PER_OWNER=100
if [ -n "${BENCH_DB:-}" ]; then
  cp "$BENCH_DB" "$WORK/bench.db"
else
  "$WORK/jointcal" demo --scale 10000 2>/dev/null | tail -1
fi
"$WORK/jointcal" serve >> "$WORK/serve.log" 2>&1 &
JPID=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
URL=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"gzip bench","owner":{"type":"organization","id_or_code":"EU"}}' \
  "http://127.0.0.1:$PORT/api/v1/feeds" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
FEED="http://127.0.0.1:$PORT/feeds/${URL##*/feeds/}"
curl -fs -o /dev/null -w "plain, first answer (read and render): %{time_total}s, %{size_download} bytes\n" "$FEED"
curl -fs -H 'Accept-Encoding: gzip' -o "$WORK/feed.gz" -w "gzip, first answer of the version: %{time_total}s, %{size_download} bytes\n" "$FEED"
curl -fs -H 'Accept-Encoding: gzip' -o /dev/null -w "gzip, second answer: %{time_total}s\n" "$FEED"
gzip -t "$WORK/feed.gz" && echo "gzip -t: the body is one valid gzip stream"
wrk -t2 -c8 -d"${DUR}s" -H 'Accept-Encoding: gzip' "$FEED" | grep -E 'Requests/sec|Latency'
