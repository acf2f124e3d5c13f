#!/usr/bin/env bash
# Memory of `jointcal serve` holding a large database with 50 feeds
# fetched (issue 16: ≤ 150 MB steady at 100,000 activities): VmRSS after
# start, after the 50 feeds are fetched once, after they are fetched
# again, and 10 s later, each as VmRSS = RssAnon (the process's own
# memory) + RssFile (pages of the database file mapped by SQLite, which
# the kernel may reclaim) + RssShmem; then VmHWM. With BENCH_COLD=1 it
# instead times, on the just-started process, the first request of a
# one-month window of an organisation feed without a filter and then of
# the whole of that feed (time to first byte and total, from curl).
# Needs: go, curl, python3.
# Usage: BENCH_DB=/path/made-by-demo-scale.db bench/rss_feeds.sh
# Environment: BENCH_DB (required; copied, never changed); JOINTCAL_BIN (a
# built jointcal instead of building this tree); BENCH_COLD=1 (the cold
# feed timings instead of the 50 feeds); JOINTCAL_SQLITE_MMAP_BYTES and
# the other settings pass through to serve.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_DB:?set BENCH_DB to a SQLite file filled by jointcal demo --scale}"
WORK="$(mktemp -d)"
JPORT=18081
TOKEN="bench-admin-token-0123456789abcdef"
cleanup() {
  [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -n "${JOINTCAL_BIN:-}" ]; then cp "$JOINTCAL_BIN" "$WORK/jointcal"; else go build -o "$WORK/jointcal" ./cmd/jointcal; fi
cp "$BENCH_DB" "$WORK/bench.db"
export JOINTCAL_DATABASE_URL="$WORK/bench.db" JOINTCAL_LISTEN="127.0.0.1:$JPORT" JOINTCAL_SCHEDULER=off \
  JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_LOG_LEVEL=warn JOINTCAL_LOG_FORMAT=json JOINTCAL_MAX_FEEDS_PER_OWNER=100
"$WORK/jointcal" serve >> "$WORK/serve.log" 2>&1 &
JPID=$!
for _ in $(seq 1 400); do curl -fs "http://127.0.0.1:$JPORT/readyz" >/dev/null && break; sleep 0.05; done
rss() { awk '/^(VmRSS|RssAnon|RssFile):/{v[$1]=sprintf("%.1f", $2/1024)} END{print v["VmRSS:"] " MB (anon " v["RssAnon:"] ", file " v["RssFile:"] ")"}' "/proc/$JPID/status"; }
echo "activities: $(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$JPORT/api/v1/activities?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'), RSS after start: $(rss)"
AUTH="Authorization: Bearer $TOKEN"
API="http://127.0.0.1:$JPORT/api/v1"
mkfeed() { # name, owner type, owner, filter JSON
  curl -fs -H "$AUTH" -H 'Content-Type: application/json' -X POST "$API/feeds" \
    -d "{\"name\":\"$1\",\"owner\":{\"type\":\"$2\",\"id_or_code\":\"$3\"},\"filter\":${4:-{\}}}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])' | sed "s#^http://127.0.0.1:$JPORT##"
}
if [ "${BENCH_COLD:-}" = 1 ]; then
  p=$(mkfeed "Cold probe" organization EU '{}')
  month="from=$(date -u -d '+14 days' +%Y-%m-01T00:00:00Z)&to=$(date -u -d "$(date -u -d '+14 days' +%Y-%m-01) +1 month" +%Y-%m-01T00:00:00Z)"
  timed() { curl -fs -o /dev/null -w "first byte %{time_starttransfer} s, total %{time_total} s, %{size_download} bytes" "$1" || echo "failed (curl exit $?)"; }
  echo "one-month window, cold: $(timed "http://127.0.0.1:$JPORT$p?$month"), RSS $(rss)"
  echo "whole feed, cold: $(timed "http://127.0.0.1:$JPORT$p"), RSS $(rss)"
  echo "whole feed again: $(timed "http://127.0.0.1:$JPORT$p"), RSS $(rss)"
  grep VmHWM "/proc/$JPID/status"
  exit 0
fi
# The 50 feeds of bench/feeds.sh: EU and NATO, kind filters, full and
# quarterly windows.
KINDS=(meeting exercise exercise_phase cross_briefing staff_talks workshop seminar webinar conference tabletop)
FEEDS=()
for i in $(seq 0 49); do
  org=EU; [ $((i % 2)) -eq 1 ] && org=NATO
  filter='{}'; [ $((i % 5)) -ne 0 ] && filter="{\"kinds\":[\"${KINDS[$((i % 10))]}\",\"${KINDS[$(((i + 3) % 10))]}\"]}"
  p=$(mkfeed "Bench $i" organization "$org" "$filter")
  [ $((i % 3)) -eq 2 ] && p="$p?from=$(date -u -d "+$((i * 7)) days" +%Y-%m-%dT00:00:00Z)&to=$(date -u -d "+$((i * 7 + 91)) days" +%Y-%m-%dT00:00:00Z)"
  FEEDS+=("http://127.0.0.1:$JPORT$p")
done
# fetchall prints the time of one pass over the 50 feeds and the number
# of fetches that failed (a 503 when every render slot stayed busy, or
# the server's write timeout on a loaded machine).
fetchall() {
  local s failed=0 bytes=0 n
  s=$(date +%s%N)
  for u in "${FEEDS[@]}"; do
    if n=$(curl -fs -o /dev/null -w '%{size_download}' "$u"); then bytes=$((bytes + n)); else failed=$((failed + 1)); fi
  done
  echo "$(( ($(date +%s%N) - s) / 1000000 )) ms, $((bytes / 1000000)) MB served, $failed failed"
}
echo "50 feeds fetched once: $(fetchall), RSS $(rss)"
echo "50 feeds fetched again: $(fetchall), RSS $(rss)"
sleep 10
echo "10 s later: RSS $(rss)"
grep VmHWM "/proc/$JPID/status"
