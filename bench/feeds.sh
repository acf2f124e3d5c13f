#!/usr/bin/env bash
# Load test of iCalendar feeds: jointcal against Radicale 3 holding the
# same 10,000 events, both on loopback, measured with wrk in one run.
# Needs: go, curl, python3, and (apt-get install radicale wrk).
# Usage: bench/feeds.sh [seconds per wrk run, default 10]
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

echo "== building jointcal"
go build -o "$WORK/jointcal" ./cmd/jointcal
export JOINTCAL_DATABASE_URL="$WORK/bench.db" JOINTCAL_LISTEN="127.0.0.1:$JPORT" JOINTCAL_SCHEDULER=off \
  JOINTCAL_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" JOINTCAL_LOG_LEVEL=warn JOINTCAL_LOG_FORMAT=json

echo "== generating 10,000 activities (20% recurring)"
"$WORK/jointcal" demo --scale 10000 2>/dev/null | tail -1

"$WORK/jointcal" serve > "$WORK/serve.log" 2>&1 &
JPID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$JPORT/readyz" >/dev/null && break; sleep 0.1; done
AUTH="Authorization: Bearer $TOKEN"
FEED=$(curl -fs -H "$AUTH" -H 'Content-Type: application/json' -X POST "http://127.0.0.1:$JPORT/api/v1/feeds" \
  -d '{"name":"Bench EU","owner":{"type":"organization","id_or_code":"EU"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
FEED_PATH="${FEED#http://127.0.0.1:$JPORT}"
URL="http://127.0.0.1:$JPORT$FEED_PATH"

echo "== jointcal: cold render (first GET, query + render), then cached"
curl -fs -o "$WORK/feed.ics" -w "cold GET: %{time_total}s, %{size_download} bytes\n" "$URL"
curl -fs -o /dev/null -w "cached GET: %{time_total}s\n" "$URL"
echo "events: $(grep -c '^BEGIN:VEVENT' "$WORK/feed.ics")"
MONTH_FROM=$(date -u -d '+30 days' +%Y-%m-01T00:00:00Z)
MONTH_TO=$(date -u -d '+61 days' +%Y-%m-01T00:00:00Z)
curl -fs -o "$WORK/month.ics" -w "one-month feed (from/to), cold: %{time_total}s, %{size_download} bytes\n" "$URL?from=$MONTH_FROM&to=$MONTH_TO"
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
