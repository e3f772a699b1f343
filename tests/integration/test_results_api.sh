#!/bin/sh
# Runs results_api.mjs (Node) against the real server: see that file.
set -eu
exec node "$(dirname "$0")/results_api.mjs"
