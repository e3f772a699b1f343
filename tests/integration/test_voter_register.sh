#!/bin/sh
# Runs voter_register.mjs (Node) against the real server: see that file.
set -eu
exec node "$(dirname "$0")/voter_register.mjs"
