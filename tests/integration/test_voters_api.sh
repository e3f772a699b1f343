#!/bin/sh
# Runs voters_api.mjs (Node) against the real server: see that file.
set -eu
exec node "$(dirname "$0")/voters_api.mjs"
