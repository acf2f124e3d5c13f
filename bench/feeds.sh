#!/usr/bin/env bash
# Load test of iCalendar feeds: jointcal against Radicale 3 holding the
# same 10,000 events, both on loopback, measured with wrk in one run.
# Needs: go, curl, python3, and (apt-get install radicale wrk).
# Usage: bench/feeds.sh [seconds per wrk run, default 10]
# Environment: SCALE (activities, default 10000); JOINTCAL_BIN (a built
# jointcal to measure instead of building this tree, e.g. an older commit);
# BENCH_DB (a SQLite file filled by `jointcal demo --scale`, copied instead
# of generating, so that two builds are measured on the same data).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-10}"
WORK="$(mktemp -d)"
JPORT=18080
RPORT=15232
TOKEN="bench-admin-token-0123456789abcdef"
cleanup() {
  [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null || true
  [ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk radicale curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/feeds.sh needs $tool (apt-get install radicale wrk)"; exit 2; }
done

if [ -n "${JOINTCAL_BIN:-}" ]; then
  echo "== using $JOINTCAL_BIN"
  cp "$JOINTCAL_BIN" "$WORK/jointcal"
else
  echo "== building jointcal"
  go build -o "$WORK/jointcal" ./cmd/jointcal
fi
export JOINTCAL_DATABASE_URL="$WORK/bench.db" JOINTCAL_LISTEN="127.0.0.1:$JPORT" JOINTCAL_SCHEDULER=off \
  JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_LOG_LEVEL=warn JOINTCAL_LOG_FORMAT=json JOINTCAL_MAX_FEEDS_PER_OWNER=100

SCALE="${SCALE:-10000}"
if [ -n "${BENCH_DB:-}" ]; then
  echo "== copying $BENCH_DB (made by jointcal demo --scale)"
  cp "$BENCH_DB" "$WORK/bench.db"
else
  echo "== generating $SCALE activities (20% recurring)"
  "$WORK/jointcal" demo --scale "$SCALE" 2>/dev/null | tail -1
fi

start_jointcal() {
  "$WORK/jointcal" serve >> "$WORK/serve.log" 2>&1 &
  JPID=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$JPORT/readyz" >/dev/null && return; sleep 0.05; done
}
stop_jointcal() { kill "$JPID"; wait "$JPID" 2>/dev/null || true; JPID=; }
# timed GET: label, url; prints time to first byte, total and size
tget() {
  curl -fs -o "${3:-/dev/null}" -w "$1: first byte %{time_starttransfer}s, total %{time_total}s, %{size_download} bytes\n" "$2"
}
rss() { awk '/VmRSS/{print $2/1024 " MB"}' "/proc/$JPID/status"; }

start_jointcal
AUTH="Authorization: Bearer $TOKEN"
API="http://127.0.0.1:$JPORT/api/v1"
mkfeed() { # name, owner type, owner, filter JSON
  curl -fs -H "$AUTH" -H 'Content-Type: application/json' -X POST "$API/feeds" \
    -d "{\"name\":\"$1\",\"owner\":{\"type\":\"$2\",\"id_or_code\":\"$3\"},\"filter\":${4:-{\}}}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])' | sed "s#^http://127.0.0.1:$JPORT##"
}
FEED_PATH=$(mkfeed "Bench EU" organization EU)
URL="http://127.0.0.1:$JPORT$FEED_PATH"
MONTH_FROM=$(date -u -d '+30 days' +%Y-%m-01T00:00:00Z)
MONTH_TO=$(date -u -d '+61 days' +%Y-%m-01T00:00:00Z)
stop_jointcal

echo "== jointcal: each line on a process just started (nothing cached)"
start_jointcal
tget "cold full feed" "$URL" "$WORK/feed.ics"
echo "events: $(grep -c '^BEGIN:VEVENT' "$WORK/feed.ics")"
tget "cached full feed" "$URL"
stop_jointcal
start_jointcal
tget "cold one-month feed (from/to)" "$URL?from=$MONTH_FROM&to=$MONTH_TO" "$WORK/month.ics"
echo "month events: $(grep -c '^BEGIN:VEVENT' "$WORK/month.ics")"
stop_jointcal

echo "== jointcal: one process, in order"
start_jointcal
tget "full feed (first request)" "$URL"
tget "one-month feed, events already rendered" "$URL?from=$MONTH_FROM&to=$MONTH_TO"
NATO_PATH=$(mkfeed "Bench NATO" organization NATO)
tget "another owner's full feed, events already rendered" "http://127.0.0.1:$JPORT$NATO_PATH"
ACT=$(curl -fs -H "$AUTH" "$API/activities?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
curl -fs -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -X PATCH "$API/activities/$ACT" -d '{"title":"Changed for the feed benchmark"}'
tget "full feed after one activity changed" "$URL"
curl -fs -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -X PATCH "$API/activities/$ACT" -d '{"title":"Changed again for the feed benchmark"}'
tget "full feed after one activity changed (again)" "$URL"
echo "RSS: $(rss)"
echo "== 50 feeds (EU and NATO, kind filters, full and quarterly windows), each fetched once, then all again"
KINDS=(meeting exercise exercise_phase cross_briefing staff_talks workshop seminar webinar conference tabletop)
FEEDS=()
for i in $(seq 0 49); do
  org=EU; [ $((i % 2)) -eq 1 ] && org=NATO
  filter='{}'; [ $((i % 5)) -ne 0 ] && filter="{\"kinds\":[\"${KINDS[$((i % 10))]}\",\"${KINDS[$(((i + 3) % 10))]}\"]}"
  p=$(mkfeed "Bench $i" organization "$org" "$filter")
  [ $((i % 3)) -eq 2 ] && p="$p?from=$(date -u -d "+$((i * 7)) days" +%Y-%m-%dT00:00:00Z)&to=$(date -u -d "+$((i * 7 + 91)) days" +%Y-%m-%dT00:00:00Z)"
  FEEDS+=("http://127.0.0.1:$JPORT$p")
done
S=$(date +%s%N)
for u in "${FEEDS[@]}"; do curl -fs -o /dev/null "$u"; done
echo "50 feeds fetched once: $(( ($(date +%s%N) - S) / 1000000 )) ms, RSS $(rss)"
S=$(date +%s%N)
for u in "${FEEDS[@]}"; do curl -fs -o /dev/null "$u"; done
echo "50 feeds fetched again: $(( ($(date +%s%N) - S) / 1000000 )) ms, RSS $(rss)"
curl -fs "http://127.0.0.1:$JPORT/metrics" | grep -E '^jointcal_feed_(cache_bytes|events_rendered_total) ' || true
ETAG=$(curl -fsI "$URL" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')

echo "== Radicale $(radicale --version) holding the same events"
mkdir -p "$WORK/radicale/collection-root/bench/cal"
python3 - "$WORK/feed.ics" "$WORK/radicale/collection-root/bench/cal" <<'PY'
import sys, os, re
src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8", newline="").read()
head, _, rest = text.partition("BEGIN:VEVENT")
tz = "".join(re.findall(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r\n", text, re.S))
events = {}
for block in re.findall(r"BEGIN:VEVENT.*?END:VEVENT\r\n", text, re.S):
    uid = re.search(r"^UID:(.*)\r$", block, re.M).group(1)
    events.setdefault(uid, []).append(block)
for i, (uid, blocks) in enumerate(events.items()):
    with open(os.path.join(dst, f"{i}.ics"), "w", encoding="utf-8", newline="") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + tz + "".join(blocks) + "END:VCALENDAR\r\n")
open(os.path.join(dst, ".Radicale.props"), "w").write('{"tag": "VCALENDAR", "D:displayname": "bench"}')
print(f"{len(events)} events written")
PY
printf '[all]\nuser: .*\ncollection: .*\npermissions: RrWw\n' > "$WORK/radicale.rights"
cat > "$WORK/radicale.conf" <<CONF
[server]
hosts = 127.0.0.1:$RPORT
[auth]
type = none
[rights]
type = from_file
file = $WORK/radicale.rights
[storage]
filesystem_folder = $WORK/radicale
[logging]
level = warning
CONF
radicale --config "$WORK/radicale.conf" > "$WORK/radicale.log" 2>&1 &
RPID=$!
RURL="http://127.0.0.1:$RPORT/bench/cal/"
for _ in $(seq 1 100); do curl -fs -o /dev/null -m 120 "$RURL" && break; sleep 0.5; done
curl -fs -o "$WORK/radicale.ics" -w "Radicale GET: %{time_total}s, %{size_download} bytes\n" "$RURL"
RETAG=$(curl -fsI "$RURL" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
curl -s -o /dev/null -w "Radicale If-None-Match: HTTP %{http_code}, %{size_download} bytes\n" -H "If-None-Match: $RETAG" "$RURL"

run() { # name, url, extra header, connections, duration
  local out conns="${4:-8}" dur="${5:-$DUR}"
  if [ -n "${3:-}" ]; then out=$(wrk -t1 -c"$conns" -d"${dur}s" --timeout 60s --latency -H "$3" "$2"); else out=$(wrk -t1 -c"$conns" -d"${dur}s" --timeout 60s --latency "$2"); fi
  printf '%-34s %s req/s  (p50 %s, p99 %s)\n' "$1" "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="50%"{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")"
}
echo "== wrk, ${DUR}s each, 1 thread, 8 connections (Radicale: 1 connection, $((DUR * 3))s: it serves one request at a time)"
run "jointcal full GET" "$URL"
run "jointcal full GET, gzip" "$URL" "Accept-Encoding: gzip"
run "jointcal If-None-Match (304)" "$URL" "If-None-Match: $ETAG"
run "Radicale full GET" "$RURL" "" 1 $((DUR * 3))
run "Radicale If-None-Match" "$RURL" "If-None-Match: $RETAG" 1 $((DUR * 3))

echo "== import throughput: the 10,000-event feed imported into a new database"
export JOINTCAL_DATABASE_URL="$WORK/import.db"
"$WORK/jointcal" demo >/dev/null
START=$(date +%s%N)
"$WORK/jointcal" import "$WORK/feed.ics" --organization EU --partial > "$WORK/import.out"
END=$(date +%s%N)
head -1 "$WORK/import.out"
echo "import of 10,000 events (parse, validate, check, write, one transaction): $(( (END - START) / 1000000 )) ms ($(( 10000 * 1000000000 / (END - START) )) events/s)"
