#!/bin/sh
# Runs voter_admin_web.mjs (Node) against the real server: see that file.
set -eu
exec node "$(dirname "$0")/voter_admin_web.mjs"
