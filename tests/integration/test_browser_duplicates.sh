#!/bin/sh
# Browser test in headless Chromium (duplicate review page):
# tests/browser/voter_duplicates.mjs.
set -eu
here=$(cd "$(dirname "$0")/../browser" && pwd)
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
exec node "$here/voter_duplicates.mjs"
