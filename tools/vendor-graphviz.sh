#!/bin/sh
# Vendor Graphviz compiled to WebAssembly into the package (tracegrad/widgets/static/).
#
#   tools/vendor-graphviz.sh [VERSION]        (or: make vendor)
#
# Fetches @hpcc-js/wasm-graphviz (Apache-2.0) from the npm registry with `npm pack`
# into a temporary folder and copies its one-file build, dist/index.js (an ES
# module with the WebAssembly inlined, no imports), with its licence. The copied
# files are committed, so CI and students never need npm; run this only to update.
set -eu
VERSION=${1:-1.29.2}
DEST=$(cd "$(dirname "$0")/.." && pwd)/tracegrad/widgets/static
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "@hpcc-js/wasm-graphviz@$VERSION" >/dev/null && tar xzf ./*.tgz)
# The file is also inlined into static HTML pages inside <script>: it must not close one.
if grep -qi '</script' "$TMP/package/dist/index.js"; then
  echo "dist/index.js contains '</script': it cannot be inlined into HTML as it is" >&2
  exit 1
fi
cp "$TMP/package/dist/index.js" "$DEST/graphviz.js"
cp "$TMP/package/LICENSE" "$DEST/graphviz.LICENSE"
SHA=$(sha256sum "$DEST/graphviz.js" | cut -d' ' -f1)
printf '@hpcc-js/wasm-graphviz %s (npm, Apache-2.0) dist/index.js sha256 %s\n' \
  "$VERSION" "$SHA" > "$DEST/graphviz.VERSION"
cat "$DEST/graphviz.VERSION"
