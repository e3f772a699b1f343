#!/bin/sh
# Browser test in headless Chromium (Debian's chromium, playwright-core):
# tests/browser/login_totp.mjs.
set -eu
here=$(cd "$(dirname "$0")/../browser" && pwd)
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
exec node "$here/login_totp.mjs"
