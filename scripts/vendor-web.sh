#!/usr/bin/env bash
# Refreshes the front-end files the web pages embed (web/static/vendor/)
# and the accessibility checker the browser tests inject
# (web/testdata/), from the npm registry, at the pinned versions below.
# Only a maintainer refreshing them needs npm; building, running and
# testing jointcal need nothing but Go.
#
#   scripts/vendor-web.sh            # fetch the pinned versions
#   HTMX=2.0.12 scripts/vendor-web.sh  # try another version, then commit
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX="${HTMX:-2.0.11}"
EVENT_CALENDAR="${EVENT_CALENDAR:-5.10.1}"
AXE="${AXE:-4.14.1}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "htmx.org@$HTMX" "@event-calendar/build@$EVENT_CALENDAR" "axe-core@$AXE" >/dev/null )
unpack() { mkdir -p "$work/$1" && tar xzf "$work/$2" -C "$work/$1"; }
unpack htmx "htmx.org-$HTMX.tgz"
unpack ec "event-calendar-build-$EVENT_CALENDAR.tgz"
unpack axe "axe-core-$AXE.tgz"

vendor=web/static/vendor
cp "$work/htmx/package/dist/htmx.min.js" "$vendor/htmx.min.js"
cp "$work/htmx/package/LICENSE" "$vendor/LICENSE.htmx"
cp "$work/ec/package/dist/event-calendar.min.js" "$vendor/event-calendar.min.js"
cp "$work/ec/package/dist/event-calendar.min.css" "$vendor/event-calendar.min.css"
# The package ships no licence file; its package.json says MIT.
grep -q '"license": "MIT"' "$work/ec/package/package.json"
cp "$work/axe/package/axe.min.js" web/testdata/axe.min.js
cp "$work/axe/package/LICENSE" web/testdata/LICENSE.axe-core

cat > "$vendor/VERSIONS" <<VERSIONS
htmx.org $HTMX (0BSD) htmx.min.js
@event-calendar/build $EVENT_CALENDAR (MIT) event-calendar.min.js event-calendar.min.css
VERSIONS
echo "vendored htmx $HTMX, @event-calendar/build $EVENT_CALENDAR, axe-core $AXE"
