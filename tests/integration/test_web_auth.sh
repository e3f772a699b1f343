#!/bin/sh
# Runs web_auth.mjs (Node) against the real server: see that file.
set -eu
exec node "$(dirname "$0")/web_auth.mjs"
