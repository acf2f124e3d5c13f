#!/usr/bin/env bash
# The README's API tour, runnable: it walks a jointcal server started with
# `jointcal serve --demo` through the API with curl, on dates computed from
# today, and stops at the first step that does not answer as expected.
#
#   export TOKEN=…             # the line `serve --demo` prints
#   scripts/tour.sh [BASE_URL] # default http://127.0.0.1:8080
#
# Needs bash, curl, GNU date and grep; not jq. TOUR_QUIET=1 prints only
# the step titles.
set -euo pipefail

BASE=${1:-${JOINTCAL_URL:-http://127.0.0.1:8080}}
API=$BASE/api/v1
: "${TOKEN:?set TOKEN to the admin token that serve --demo prints}"
HERE=$(cd "$(dirname "$0")" && pwd)
BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT

# Dates relative to today (UTC), so the tour works on any day.
day() { date -u -d "$1" +%Y-%m-%d; }
TODAY=$(day today)
IN_4_WEEKS=$(day '+28 days')
YEAR_AGO=$(day '-365 days')
IN_A_YEAR=$(day '+365 days')
NEXT_MONDAY=$(day 'next monday')
NEXT_SATURDAY=$(date -u -d "$NEXT_MONDAY +5 days" +%Y-%m-%d)

STATUS=0
# call METHOD PATH [BODY [CONTENT-TYPE]]: the answer lands in $BODY and
# its status in $STATUS.
call() {
	local method=$1 path=$2 data=${3:-} type=${4:-application/json}
	local args=(-s -o "$BODY" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN")
	if [ -n "$data" ]; then
		args+=(-H "Content-Type: $type" --data-binary "$data")
	fi
	STATUS=$(curl "${args[@]}" "$path")
}

step() { printf '\n== %s\n' "$*"; }

# expect STATUS…: fail the tour unless the last answer has one of them.
expect() {
	local s
	for s in "$@"; do
		if [ "$STATUS" = "$s" ]; then
			[ -n "${TOUR_QUIET:-}" ] || { head -c 600 "$BODY"; echo; }
			echo "-> $STATUS"
			return 0
		fi
	done
	echo "-> $STATUS, want $*:" >&2
	cat "$BODY" >&2
	echo >&2
	exit 1
}

# contains TEXT: fail unless the last answer contains TEXT.
contains() {
	grep -qF -- "$1" "$BODY" || { echo "the answer lacks $1:" >&2; cat "$BODY" >&2; exit 1; }
}

# field NAME: the first string or number value of "NAME" in the answer
# (sed reads to the end, so no pipe is cut short under pipefail).
field() {
	grep -oE "\"$1\":(\"[^\"]*\"|[0-9]+)" "$BODY" | sed -nE "1{s/^\"$1\":\"?//; s/\"$//; p;}" || true
}

step "Who is there: organisations, a committee with its members"
call GET "$API/organizations"
expect 200
contains '"code":"EU"'
call GET "$API/bodies/PSC"
expect 200

step "What happens in the next four weeks ($TODAY to $IN_4_WEEKS; recurring activities included)"
call GET "$API/activities?from=${TODAY}T00:00:00Z&to=${IN_4_WEEKS}T00:00:00Z"
expect 200
total=$(field total)
[ "${total:-0}" -gt 0 ] || { echo "no activity in the coming four weeks" >&2; exit 1; }
call GET "$API/occurrences?from=${TODAY}T00:00:00Z&to=${IN_4_WEEKS}T00:00:00Z"
expect 200
contains '"start"'

step "Exercises, and cyber activities about the Cyber Coalition"
call GET "$API/activities?kind=exercise"
expect 200
call GET "$API/activities?area=cyber&q=coalition"
expect 200

step "Check a booking before making it: the NAC already meets the PSC (the next meeting, else the first)"
call GET "$API/activities?body=NAC&kind=meeting&status=confirmed&from=${TODAY}T00:00:00Z&limit=1"
expect 200
if [ "$(field total)" = 0 ]; then
	call GET "$API/activities?body=NAC&kind=meeting&status=confirmed&limit=1"
	expect 200
fi
start=$(field start)
end=$(field end)
[ -n "$start" ] || { echo "no NAC meeting in the demo data" >&2; exit 1; }
call POST "$API/conflicts/check" '{
  "kind": "meeting", "title": "Extra NAC session", "lead_organization": "NATO",
  "start": "'"$start"'", "end": "'"$end"'", "timezone": "Europe/Brussels",
  "participants": [{"type": "body", "id_or_code": "NAC"}]}'
expect 200
contains '"rule":"body_double_booked"'

step "Book a cross-briefing to the PSC on a coming Tuesday (201 with warnings, or 409 with the conflicts: then the next week)"
id=""
for week in 1 2 3 4 5 6 7 8; do
	tuesday=$(date -u -d "$NEXT_MONDAY +$((7 * week + 1)) days" +%Y-%m-%d)
	call POST "$API/activities" '{
  "kind": "cross_briefing", "title": "Cross-briefing to the PSC on resilience",
  "lead_organization": "NATO", "start": "'"$tuesday"'T10:00:00+01:00", "end": "'"$tuesday"'T11:00:00+01:00",
  "timezone": "Europe/Brussels", "venue": "VTC", "format": "virtual",
  "participants": [{"type": "body", "id_or_code": "PSC", "role": "audience"}],
  "areas": ["political_dialogue"], "reminders": ["P1D", "PT1H"]}'
	expect 201 409
	if [ "$STATUS" = 201 ]; then
		id=$(field id)
		break
	fi
done
[ -n "$id" ] || { echo "no free Tuesday in eight weeks" >&2; exit 1; }

step "Change it with optimistic locking: If-Match carries the ETag"
STATUS=$(curl -s -o "$BODY" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-H 'If-Match: "v1"' --data-binary '{"status": "tentative"}' "$API/activities/$id")
expect 200
contains '"status":"tentative"'
STATUS=$(curl -s -o "$BODY" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-H 'If-Match: "v1"' --data-binary '{"status": "confirmed"}' "$API/activities/$id")
expect 412

step "Move one instance of a recurring activity (the path names its original start)"
call GET "$API/activities?q=bi-weekly&limit=1"
expect 200
rid=$(field id)
rstart=$(field start)
from=$(date -u -d "$rstart" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$(($(date -u -d "$rstart" +%s) + 86400))" +%Y-%m-%dT%H:%M:%SZ)
call PATCH "$API/activities/$rid/occurrences/$from" '{"start": "'"$to"'"}'
expect 200 409

step "Who changed what"
call GET "$API/audit?entity=activity"
expect 200
contains '"action":"create"'

step "The deconfliction agenda from $YEAR_AGO to $IN_A_YEAR, its first 50 soft clashes (next_cursor for the rest)"
call GET "$API/conflicts?from=${YEAR_AGO}T00:00:00Z&to=${IN_A_YEAR}T00:00:00Z&severity=soft&limit=50"
expect 200
contains '"next_cursor"'

step "The first free two-hour slots of the PSC and the NAC, week of $NEXT_MONDAY, Brussels working hours"
call GET "$API/availability?participants=body:PSC,body:NAC&duration=PT2H&from=${NEXT_MONDAY}T00:00:00Z&to=${NEXT_SATURDAY}T00:00:00Z&working_hours=09:00-18:00&days=MO,TU,WE,TH,FR&timezone=Europe/Brussels"
expect 200
contains '"start"'

step "A calendar feed for Outlook, Google or Apple Calendar, and its first lines"
call POST "$API/feeds" '{"name": "EU plan", "owner": {"type": "organization", "id_or_code": "EU"}, "filter": {"kinds": ["exercise", "exercise_phase"]}}'
expect 201
feed=$(field url)
[ -n "$feed" ] || { echo "the feed answer has no url" >&2; exit 1; }
# The path of the feed on this server (its host is JOINTCAL_BASE_URL's).
STATUS=$(curl -s -o "$BODY" -w '%{http_code}' "$BASE/${feed#*://*/}")
expect 200
contains 'BEGIN:VEVENT'

step "Import a partner's calendar (dry run), subscribe to a holidays calendar"
call POST "$API/import/ics?organization=NATO&dry_run=true" "@$HERE/../calendar/testdata/import/google_export.ics" text/calendar
expect 200
call POST "$API/external-calendars" '{"name": "Belgian holidays", "url": "https://example.org/holidays.ics", "blocks": {"type": "organization", "id_or_code": "EU"}, "severity": "soft", "refresh": "PT12H"}'
expect 201

step "Reminders (the outbox) and the scheduled jobs"
call GET "$API/reminders?status=pending"
expect 200
call GET "$API/jobs"
expect 200
contains '"name":"reminders"'

printf '\nThe tour is complete.\n'
