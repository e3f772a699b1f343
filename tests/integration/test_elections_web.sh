#!/bin/sh
# Runs elections_web.mjs (Node) against the real server: see that file.
set -eu
here=$(cd "$(dirname "$0")/../browser" && pwd)
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
exec node "$(dirname "$0")/elections_web.mjs"
