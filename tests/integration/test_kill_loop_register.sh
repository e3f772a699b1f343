#!/bin/sh
# Crash durability of online registration: `precinct serve` SIGKILLed at
# random moments while clients submit applications; every confirmation
# number a client was shown must be stored. See kill_loop_register.mjs.
set -eu
exec node "$(dirname "$0")/kill_loop_register.mjs"
