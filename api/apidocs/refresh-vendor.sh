#!/bin/sh
# refresh-vendor.sh fetches the pinned Swagger UI release from npm and
# replaces the vendored files of the API reference page
# (api/apidocs/vendor/swagger-ui). It is for maintainers: building,
# running and testing jointcal need no Node and no network.
#
# Usage: api/apidocs/refresh-vendor.sh [VERSION]   (default: the pinned one)
# Then review the diff, run go test ./api/, and commit VERSION with the files.
set -eu

version="${1:-$(cat "$(dirname "$0")/vendor/swagger-ui/VERSION")}"
dest="$(cd "$(dirname "$0")" && pwd)/vendor/swagger-ui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
tar -xzf "$work/swagger-ui-dist-$version.tgz" -C "$work"
license="$(sed -n 's/.*"license": *"\([^"]*\)".*/\1/p' "$work/package/package.json")"
if [ "$license" != "Apache-2.0" ]; then
	echo "swagger-ui-dist $version is licensed $license, not Apache-2.0: review before vendoring" >&2
	exit 1
fi
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
	cp "$work/package/$f" "$dest/$f"
done
echo "$version" >"$dest/VERSION"
echo "vendored swagger-ui-dist $version into $dest"
