#!/bin/sh
# Crash durability through `precinct serve` and the JSON API, SIGKILL at
# random moments: see kill_loop_api.mjs. On PostgreSQL when
# PRECINCT_TEST_BACKEND=postgres (tests/CMakeLists.txt registers both).
set -eu
exec node "$(dirname "$0")/kill_loop_api.mjs"
