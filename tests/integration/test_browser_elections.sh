#!/bin/sh
# Browser test in headless Chromium (election definition pages):
# tests/browser/elections_admin.mjs.
set -eu
here=$(cd "$(dirname "$0")/../browser" && pwd)
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
exec node "$here/elections_admin.mjs"
