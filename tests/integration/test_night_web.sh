#!/bin/sh
# Runs night_web.mjs (Node) against the real server: see that file. Its TOTP
# helper lives in tests/browser/lib.mjs, which needs playwright-core.
set -eu
browser=$(cd "$(dirname "$0")/../browser" && pwd)
[ -d "$browser/node_modules/playwright-core" ] || (cd "$browser" && npm install --no-audit --no-fund --loglevel=error)
exec node "$(dirname "$0")/night_web.mjs"
