#!/usr/bin/env bash
# The benchmark: starts the distributed services (infra/local/up.sh), measures Fleet through its gateway, runs Celery
# (Debian python3-celery, 2 worker processes) doing the same trivial task on the same RabbitMQ, prints the ratios.
# Also maps x*x over --map-items items in batches of --map-batch through the Fastmap API beside Celery's chunks, and
# runs a DCP job of --dcp-slices slices of trivial JavaScript work beside a Celery group of as many tasks.
#   bench/run.sh [--workers N] [--sync N] [--async N] [--map-items N] [--map-batch N] [--dcp-slices N] [--keep]
#   (--keep leaves the services running afterwards; --map-items 0 and --dcp-slices 0 skip those phases)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"

workers=2 sync=2000 calls=5000 rounds=4 throughput_rounds=3 map_items=1000000 map_batch=10000 dcp_slices=100000 dcp_celery_tasks=10000 dcp_rounds=2 keep=0
while (($#)); do
  case $1 in
    --workers) workers=$2; shift 2 ;;
    --sync) sync=$2; shift 2 ;;
    --async) calls=$2; shift 2 ;;
    --map-items) map_items=$2; shift 2 ;;
    --map-batch) map_batch=$2; shift 2 ;;
    --dcp-slices) dcp_slices=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) fleet_die "unknown option $1 (try --help)" ;;
  esac
done

((sync >= rounds)) || fleet_die "--sync must be at least $rounds (it is split into $rounds rounds)"
fleet_install_packages "${FLEET_PACKAGES[@]}" python3-celery
"$FLEET_ROOT/infra/local/up.sh" --workers "$workers"
((keep)) || trap '"$FLEET_ROOT/infra/local/down.sh"' EXIT

dotnet build "$FLEET_ROOT/bench/Fleet.Bench/Fleet.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
results=$FLEET_DIR/bench
mkdir -p "$results"
rm -f "$results"/{fleet,celery}-sync.txt "$results"/{fleet-async,celery-rate,fleet-drain,celery-drain}.txt \
  "$results"/{fleet-fastmap,celery-chunks,fleet-dcp,fleet-dcp-fetch,celery-group}.txt
celery_bench() {
  (cd "$FLEET_ROOT/bench/celery" && /usr/bin/python3 bench.py \
    --broker "amqp://fleet:$(fleet_secret RABBITMQ_PASSWORD)@127.0.0.1:5672//" "$@")
}
bench=("$FLEET_ROOT/bench/Fleet.Bench/bin/Release/net10.0/Fleet.Bench.dll" http://127.0.0.1:8080)

# Fresh .NET processes run unoptimised code for their first thousands of calls: one untimed pass first.
fleet_log "Fleet warm-up (not reported)"
dotnet "${bench[@]}" --sync 2000 --async 2000 > /dev/null
# This machine's speed drifts within minutes: sync round trips are measured in rounds, Celery and Fleet in turn.
fleet_log "sync round trips: Celery and Fleet in turn, $rounds rounds of $((sync / rounds))"
for ((round = 1; round <= rounds; round++)); do
  celery_bench --sync $((sync / rounds)) --tasks 0 --samples "$results/celery-sync.txt" > /dev/null
  dotnet "${bench[@]}" --only-sync --sync $((sync / rounds)) --sync-samples "$results/fleet-sync.txt" >&2
done
# Throughput too: Celery's and Fleet's runs in turn; the medians are compared.
fleet_log "throughput: Celery and Fleet in turn, $throughput_rounds rounds of $calls calls"
for ((round = 1; round <= throughput_rounds; round++)); do
  celery_bench --sync 1 --tasks "$calls" --rate-samples "$results/celery-rate.txt" > "$results/celery.json"
  dotnet "${bench[@]}" --only-async --async "$calls" --async-samples "$results/fleet-async.txt" >&2
done
# For reference, each side's own pace: Celery's workers drain a group sent while they did not consume, Fleet drains
# calls submitted while its scheduler was stopped; neither counts the sending.
fleet_log "drain rates: Celery and Fleet in turn, $throughput_rounds rounds"
for ((round = 1; round <= throughput_rounds; round++)); do
  celery_bench --sync 1 --tasks "$calls" --drain --rate-samples "$results/celery-drain.txt" > /dev/null
  dotnet "${bench[@]}" --only-async --async "$calls" --async-samples "$results/fleet-drain.txt" \
    --drain-pause-pid "$(cat "$FLEET_DIR/pids/scheduler.pid")" >&2
done
# Batched maps: Fastmap's /map (10 concurrent requests, as the stock client) beside Celery's chunks of the same size.
map_figures=()
if ((map_items > 0)); then
  fleet_log "fastmap map vs celery chunks: in turn, $throughput_rounds rounds of $map_items items in batches of $map_batch"
  for ((round = 1; round <= throughput_rounds; round++)); do
    celery_bench --sync 1 --tasks 0 --chunks "$map_items" --chunk-size "$map_batch" \
      --chunks-samples "$results/celery-chunks.txt" > /dev/null
    /usr/bin/python3 "$FLEET_ROOT/bench/fastmap_bench.py" --url http://127.0.0.1:8080 --items "$map_items" \
      --batch "$map_batch" --samples "$results/fleet-fastmap.txt" >&2
  done
  map_figures=(--fastmap-samples "$results/fleet-fastmap.txt" --celery-chunks-samples "$results/celery-chunks.txt")
fi
# DCP: one job of many slices beside one Celery group of trivial tasks. Celery's stock client loses its connection
# while it sends a large group (RabbitMQ's writes of the results to it time out, as it reads none while it sends: at
# 100,000 here, and at 30,000 on a loaded machine), so its group is 10,000 tasks: its rate is the same from 5,000
# tasks up, so the comparison is of rates.
dcp_figures=()
if ((dcp_slices > 0)); then
  fleet_log "dcp job of $dcp_slices slices vs a celery group of $dcp_celery_tasks tasks: in turn, $dcp_rounds rounds"
  for ((round = 1; round <= dcp_rounds; round++)); do
    celery_bench --sync 1 --tasks "$dcp_celery_tasks" --rate-samples "$results/celery-group.txt" > /dev/null
    /usr/bin/python3 "$FLEET_ROOT/bench/dcp_bench.py" --url http://127.0.0.1:8080 --slices "$dcp_slices" \
      --samples "$results/fleet-dcp.txt" --fetch-samples "$results/fleet-dcp-fetch.txt" >&2
  done
  dcp_figures=(--dcp-samples "$results/fleet-dcp.txt" --dcp-fetch-samples "$results/fleet-dcp-fetch.txt"
    --celery-group-samples "$results/celery-group.txt")
fi
fleet_log "Fleet cold starts, and all figures"
dotnet "${bench[@]}" --sync 0 --async 0 --sync-samples "$results/fleet-sync.txt" --async-samples "$results/fleet-async.txt" \
  --celery "$results/celery.json" --celery-sync-samples "$results/celery-sync.txt" \
  --celery-rate-samples "$results/celery-rate.txt" --drain-samples "$results/fleet-drain.txt" \
  --celery-drain-samples "$results/celery-drain.txt" "${map_figures[@]}" "${dcp_figures[@]}"
