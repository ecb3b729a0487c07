#!/usr/bin/env bash
# A cache spread over a three-node cluster on etcd: three shards, each a distributed sandbox the cluster
# places on a node. One node is killed (kill -9); its shard fails over to a live node, rebuilt from its spec,
# and the cache answers for every key again.
#   Examples/DistributedCache/distributed-cache.sh
# Needs etcd (apt-get install etcd-server). Uses `superlearner` from PATH, or $SUPERLEARNER, and the home
# in $SUPERLEARNER_HOME (a fresh directory is best: the cluster's nodes live under it).
# Exits 0 when the shard moved and every key is answered again, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")"
sl="${SUPERLEARNER:-superlearner}"
trap '"$sl" cluster stop --quiet 2>/dev/null || true' EXIT

# The default lease of 6 s: a dead node's shards move about 6 s after it dies. (A shorter one, such as
# --lease-ttl 3, moves them sooner, but a node that cannot renew within TTL - 1.5 s fences itself, which a
# loaded machine can cause.)
"$sl" cluster start 3
for shard in 0 1 2; do "$sl" sandbox create "cache-$shard" --spec shard.yaml --distributed --quiet; done

# A key lives on shard (its CRC) mod 3; the "source of truth" a miss is filled from is this function.
shard_of() { echo $(( $(printf '%s' "$1" | cksum | cut -d' ' -f1) % 3 )); }
truth() { echo "value-of-$1"; }
keys=(alpha bravo charlie delta echo foxtrot golf hotel)
node_of() { "$sl" sandbox list --json | jq -r ".[] | select(.id == \"$1\") | .node"; }
# A process is reached on the node that runs it: ask the cluster which one, then talk to it with --node.
send() { local shard="cache-$(shard_of "$1")"; "$sl" --node "$(node_of "$shard")" process send "$shard/store" "${@:2}" --call; }
put() { send "$1" put "{\"key\":\"$1\",\"value\":\"$2\"}" >/dev/null; }
get() { send "$1" get "\"$1\""; }

for key in "${keys[@]}"; do put "$key" "$(truth "$key")"; done
echo "--- three shards on three nodes"
"$sl" sandbox list | awk '{ print $1, $NF }' | column -t

# Kill a node other than node1 (node1 is this home's own daemon, the one plain commands talk to) that owns
# a shard, the way a machine dies: kill -9, no goodbye.
victim_shard=""
for shard in 0 1 2; do
    node="$(node_of "cache-$shard")"
    if [ "$node" != node1 ]; then victim_shard="$shard"; victim="$node"; break; fi
done
[ -n "$victim_shard" ] || { echo "every shard is on node1: nothing to fail over"; exit 1; }
pid="$("$sl" --node "$victim" server status --json | jq -r .pid)"
echo "--- kill -9 $victim (pid $pid), owner of cache-$victim_shard"
kill -9 "$pid"

# The lease expires, a live node claims the shard and rebuilds it from shard.yaml.
moved=""
for _ in $(seq 1 300); do
    node="$(node_of "cache-$victim_shard" 2>/dev/null || true)"
    if [ -n "$node" ] && [ "$node" != "null" ] && [ "$node" != "$victim" ]; then moved="$node"; break; fi
    sleep 0.1
done
[ -n "$moved" ] || { echo "cache-$victim_shard did not fail over"; exit 1; }
"$sl" --node "$moved" wait "cache-$victim_shard" --for running --timeout 10s --quiet
echo "cache-$victim_shard failed over: $victim → $moved"

# A cache's failover is a fresh shard: its keys are misses, filled again from the source of truth.
hits=0; misses=0
for key in "${keys[@]}"; do
    value="$(get "$key")"
    if [ "$value" = "\"$(truth "$key")\"" ]; then hits=$((hits + 1)); else misses=$((misses + 1)); put "$key" "$(truth "$key")"; fi
done
echo "after the failover: $hits hits, $misses misses refilled"
for key in "${keys[@]}"; do
    [ "$(get "$key")" = "\"$(truth "$key")\"" ] || { echo "LOST: $key"; exit 1; }
done
echo "every key answers again"
