#!/usr/bin/env bash
# Refreshes the screenshots of the planners' pages in docs/screenshots/
# (shown in the README) by running the browser tests, which write one
# per page. Needs Chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
JOINTCAL_TEST_BROWSER=required JOINTCAL_TEST_SCREENSHOTS="$PWD/$out" go test ./web -count=1 -timeout 30m
ls "$out"
