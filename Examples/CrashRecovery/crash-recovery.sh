#!/usr/bin/env bash
# Kill the middle child of the same tree under each OTP strategy and show who is restarted.
#   Examples/CrashRecovery/crash-recovery.sh      (uses `superlearner` from PATH, or $SUPERLEARNER)
# Exits 0 when every strategy restarted exactly the children OTP says it should, 1 otherwise: a failure
# test as a CI job would run it.
set -euo pipefail
cd "$(dirname "$0")"
sl="${SUPERLEARNER:-superlearner}"

# The children whose restart count is above zero, in start order: the tree's rows are "├─ ID  PID  …  restarts=N".
restarted() {
    "$sl" sandbox tree "$1" | awk '/^(├|└)─/ && !/restarts=0/ { printf "%s%s", sep, $2; sep = " " }'
}

status=0
for strategy in one_for_one one_for_all rest_for_one; do
    case "$strategy" in
        one_for_one) expected="b" ;;
        one_for_all) expected="a b c" ;;
        rest_for_one) expected="b c" ;;
    esac
    id="crash-${strategy//_/-}"
    "$sl" sandbox create "$id" --spec tree.yaml --strategy "$strategy" --quiet
    "$sl" process kill "$id/b" --quiet
    # The last child the strategy restarts is the last one it starts again: wait for that one.
    "$sl" wait "$id/${expected##* }" --for restarted --timeout 10s --quiet
    got="$(restarted "$id")"
    if [ "$got" = "$expected" ]; then verdict="ok"; else verdict="WRONG (expected: $expected)"; status=1; fi
    printf '%-13s killed b → restarted: %-6s %s\n' "$strategy" "$got" "$verdict"
    "$sl" sandbox destroy "$id" --quiet
done
exit "$status"
