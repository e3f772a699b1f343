#!/bin/sh
# Runs cvr_web.mjs (Node) against the real server: see that file.
set -eu
exec node "$(dirname "$0")/cvr_web.mjs"
