#!/bin/sh
# Browser test in headless Chromium (Debian's chromium, playwright-core) of
# the public results site: tests/browser/results_site.mjs.
set -eu
here=$(cd "$(dirname "$0")/../browser" && pwd)
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
exec node "$here/results_site.mjs"
