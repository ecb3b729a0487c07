#!/usr/bin/env bash
# Two sandboxes from one template: the same child names, scoped by sandbox (blue/counter_1, green/counter_1).
# An experiment breaks blue again and again; green must not notice: same PIDs, no restarts.
#   Examples/SandboxIsolation/isolation.sh      (uses `superlearner` from PATH, or $SUPERLEARNER)
# Exits 0 when green is untouched and blue really was broken, 1 otherwise.
set -euo pipefail
sl="${SUPERLEARNER:-superlearner}"

"$sl" sandbox create blue DemoSupervisor --quiet
"$sl" sandbox create green DemoSupervisor --quiet
pid() { "$sl" process info "$1" | awk '$1 == "pid" { print $2 }'; }
echo "blue/counter_1 is $(pid blue/counter_1), green/counter_1 is $(pid green/counter_1): one name, two processes"

# Every process of a sandbox with its PID and restart count, one per line.
snapshot() { "$sl" sandbox tree "$1" | awk '/^(├|└)─/ { print $2, $3, $5 }'; }

green_before="$(snapshot green)"
"$sl" sandbox run blue kill-random n=3 --seed 7
green_after="$(snapshot green)"
blue_restarts="$(snapshot blue | awk -F'restarts=' '{ total += $2 } END { print total + 0 }')"

status=0
if [ "$green_before" = "$green_after" ]; then
    echo "green untouched: same PIDs, no restarts"
else
    printf 'green changed:\n--- before\n%s\n--- after\n%s\n' "$green_before" "$green_after"
    status=1
fi
if [ "$blue_restarts" -gt 0 ]; then
    echo "blue: $blue_restarts restarts caused by the experiment"
else
    echo "blue was not broken: the experiment did nothing"
    status=1
fi
"$sl" sandbox destroy blue --quiet
"$sl" sandbox destroy green --quiet
exit "$status"
