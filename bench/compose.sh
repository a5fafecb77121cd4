#!/usr/bin/env bash
# The compose deployment beside the native one, on the same machine: builds the images (on the fleet-local stand-ins
# unless --official-images), times `docker-compose up` to a ready gateway with --workers workers, starts the native
# services (infra/local/up.sh) with as many, then measures warm sync round trips and async throughput through each
# gateway in turn (the machine's speed drifts), and prints image sizes and both sides' figures. Leaves nothing running.
#   bench/compose.sh [--workers N] [--sync N] [--async N] [--rounds N] [--official-images]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/docker/lib.sh"

workers=2 sync=2000 calls=5000 rounds=3 official=0
while (($#)); do
  case $1 in
    --workers) workers=$2; shift 2 ;;
    --sync) sync=$2; shift 2 ;;
    --async) calls=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --official-images) official=1; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) fleet_die "unknown option $1 (try --help)" ;;
  esac
done

fleet_install_packages "${FLEET_PACKAGES[@]}" docker-compose
fleet_docker_start || fleet_die "no Docker engine"
if ((!official)); then
  "$FLEET_ROOT/infra/docker/local-images.sh"
  set -a
  source "$FLEET_DOCKER_DIR/local-images.env"
  set +a
fi
# Its own project, loopback ports from 47000 and passwords of its own: beside the native services' 8080, 5672, 5432.
export FLEET_GATEWAY_ADDRESS=127.0.0.1 FLEET_HTTP_PORT=47080 FLEET_SERVERLEDGE_PORT=47323 FLEET_FAASM_PORT=47002 \
  FLEET_DCP_PORT=47234 FLEET_RABBITMQ_PORT=47672 FLEET_RABBITMQ_MANAGEMENT_PORT=47674 FLEET_POSTGRES_PORT=47432
for secret in RABBITMQ_PASSWORD POSTGRES_PASSWORD SECRETS_KEY FASTMAP_ADMIN_TOKEN; do
  export "FLEET_$secret=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
done
compose=(docker-compose -p fleet-bench -f "$FLEET_ROOT/docker-compose.yml" -f "$FLEET_ROOT/infra/docker/compose.local.yml")
cleanup() {
  "${compose[@]}" down -v --remove-orphans --timeout 10 > /dev/null 2>&1 || true
  "$FLEET_ROOT/infra/local/down.sh" || true
}
trap cleanup EXIT

fleet_log "building the images"
build_start=$SECONDS
"${compose[@]}" build > "$FLEET_DOCKER_DIR/bench-build.log" 2>&1 || { tail -n 30 "$FLEET_DOCKER_DIR/bench-build.log"; exit 1; }
build_seconds=$((SECONDS - build_start))
fleet_log "docker-compose up --scale worker=$workers"
up_start=${EPOCHREALTIME/./}
"${compose[@]}" up -d --scale worker="$workers" > /dev/null 2>&1
fleet_wait_http "http://127.0.0.1:$FLEET_HTTP_PORT/health/ready" 180 || fleet_die "the compose gateway was not ready in 180 s"
up_ms=$(((${EPOCHREALTIME/./} - up_start) / 1000))

"$FLEET_ROOT/infra/local/up.sh" --workers "$workers"
dotnet build "$FLEET_ROOT/bench/Fleet.Bench/Fleet.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly > /dev/null
results=$FLEET_DIR/bench/compose
rm -rf "$results"
mkdir -p "$results"
bench() { dotnet "$FLEET_ROOT/bench/Fleet.Bench/bin/Release/net10.0/Fleet.Bench.dll" "$@"; }
declare -A gateways=([native]=http://127.0.0.1:8080 [compose]=http://127.0.0.1:$FLEET_HTTP_PORT)

# Fresh .NET processes run unoptimised code for their first thousands of calls: one untimed pass on each first.
for side in native compose; do
  fleet_log "$side warm-up (not reported)"
  bench "${gateways[$side]}" --sync 2000 --async 2000 --faasm 0 > /dev/null
done
for ((round = 1; round <= rounds; round++)); do
  for side in native compose; do
    fleet_log "round $round: $side"
    bench "${gateways[$side]}" --only-sync --sync $((sync / rounds)) --sync-samples "$results/$side-sync.txt" >&2
    bench "${gateways[$side]}" --only-async --async "$calls" --async-samples "$results/$side-async.txt" >&2
  done
done

echo "images (docker images):"
docker images --format '  {{.Repository}}:{{.Tag}} {{.Size}}' 'fleet-bench_*'
echo "build of the three images: $build_seconds s; docker-compose up to a ready gateway: $up_ms ms"
/usr/bin/python3 - "$results" << 'EOF'
import statistics, sys
folder = sys.argv[1]
def read(name):
    with open(f"{folder}/{name}.txt") as f:
        return [float(line) for line in f if line.strip()]
figures = {}
for side in ("native", "compose"):
    sync = sorted(read(f"{side}-sync"))
    figures[side] = (sync[len(sync) // 2], sync[int(len(sync) * 0.99)], statistics.median(read(f"{side}-async")))
    print(f"{side:8} warm sync p50 {figures[side][0]:.2f} ms, p99 {figures[side][1]:.2f} ms; async {figures[side][2]:.0f} calls/s (median of rounds)")
print(f"compose / native: sync p50 {figures['compose'][0] / figures['native'][0]:.2f}x, async {figures['compose'][2] / figures['native'][2]:.2f}x")
EOF
