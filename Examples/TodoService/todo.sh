#!/usr/bin/env bash
# Run the to-do service under superlearner, kill its store, and show the service come back with every
# acknowledged item.
#   Examples/TodoService/todo.sh
# Uses `superlearner` from PATH (or $SUPERLEARNER) and the todo-service that `make examples` builds (or
# $TODO_SERVICE); the ports are 8700 and 8701 unless TODO_API_PORT and TODO_STORE_PORT say otherwise.
# Exits 0 when the service recovered with nothing lost, 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sl="${SUPERLEARNER:-superlearner}"
todo="${TODO_SERVICE:-$here/../.build/debug/todo-service}"
api="${TODO_API_PORT:-8700}"
store="${TODO_STORE_PORT:-8701}"
[ -x "$todo" ] || { echo "todo.sh: no todo-service at $todo: run 'make examples' (or set TODO_SERVICE)" >&2; exit 2; }

# This run's copy of the spec, with its ports and the program's path; the store's file is written beside it
# (a program's working directory is its spec file's folder).
work="$(mktemp -d)"
trap '"$sl" sandbox destroy todo --quiet 2>/dev/null || true; rm -rf "$work"' EXIT
sed -e "s/8700/$api/g; s/8701/$store/g; s#\[todo-service,#[$todo,#" "$here/todo.yaml" > "$work/todo.yaml"

"$sl" sandbox create todo --spec "$work/todo.yaml"
curl -sf -d 'water the plants' "http://127.0.0.1:$api/todos"
curl -sf -d 'write the report' "http://127.0.0.1:$api/todos"

echo "--- the store is killed"
"$sl" process kill todo/store
# rest_for_one restarts the store, then the API after it; each start waits for its readiness probe.
"$sl" wait todo/api --for restarted --timeout 20s --quiet
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$api/health" >/dev/null && break
    sleep 0.1
done
"$sl" sandbox tree todo | sed -E 's/<[0-9.]+>  //; s/  os_pid [0-9]+//'
"$sl" why todo/store | sed -E 's/^[0-9:.]+  //'

echo "--- after the restart"
list="$(curl -sf "http://127.0.0.1:$api/todos")"
echo "$list"
expected=$'1. water the plants\n2. write the report'
if [ "$list" = "$expected" ]; then
    echo "the service recovered: both acknowledged items are there"
else
    echo "LOST: expected"$'\n'"$expected"
    exit 1
fi
