#!/usr/bin/env bash
# Fleet distributed on this machine, without Docker: RabbitMQ (AMQP 5672, management UI 15672), PostgreSQL (5432),
# the gateway (8080 and 1323), the scheduler and N workers as background processes.
# Logs in .fleet/logs/, one pid file per process in .fleet/pids/. Idempotent: running it again starts only what is
# not running, and --workers N also stops workers above N. Stop everything with infra/local/down.sh.
#
#   infra/local/up.sh [--workers N] [--no-build]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

workers=2 build=1
while (($#)); do
  case $1 in
    --workers) workers=${2:?--workers needs a number}; shift 2 ;;
    --workers=*) workers=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) fleet_die "unknown option $1 (try --help)" ;;
  esac
done
[[ $workers =~ ^[0-9]+$ ]] || fleet_die "--workers wants a whole number, not '$workers'"

fleet_install_packages
if ((build)); then
  fleet_log "building the services (Release)"
  for project in Fleet.Gateway Fleet.Scheduler Fleet.Worker; do
    dotnet build "$FLEET_ROOT/services/$project/$project.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null ||
      fleet_die "build of $project failed: dotnet build services/$project -c Release"
  done
fi

rabbit_password=$(fleet_secret RABBITMQ_PASSWORD)
postgres_password=$(fleet_secret POSTGRES_PASSWORD)
secrets_key=$(fleet_secret SECRETS_KEY)
fleet_rabbitmq_start fleet "$FLEET_DIR/rabbitmq" 5672 25672 15672
fleet_rabbitmq_user fleet fleet "$rabbit_password"
fleet_postgres_start "$FLEET_DIR/postgres" 5432 fleet "$postgres_password" fleet

common=(
  "Bus__Transport=rabbitmq"
  "Bus__Url=amqp://fleet:$rabbit_password@127.0.0.1:5672/"
  "Store__Provider=postgres"
  "Store__ConnectionString=Host=127.0.0.1;Port=5432;Database=fleet;Username=fleet;Password=$postgres_password"
)
# Anything exported as Core__*, Facades__*, Placement__*, Scheduler__*, Worker__*, Store__*, Telemetry__* ... reaches the services too.

fleet_service_start scheduler Fleet.Scheduler "${common[@]}" "Urls=http://127.0.0.1:8090"
for ((i = 1; i <= workers; i++)); do
  fleet_service_start "worker-$i" Fleet.Worker "${common[@]}" "Urls=http://127.0.0.1:$((8100 + i))" \
    "Worker__WorkerId=worker-$i" "Worker__DataDirectory=$FLEET_DIR/work/worker-$i"
done
for pidfile in "$FLEET_DIR"/pids/worker-*.pid; do
  [[ -e $pidfile ]] || continue
  n=$(basename "$pidfile" .pid); n=${n#worker-}
  ((n > workers)) && fleet_service_stop "worker-$n"
done
fleet_service_start gateway Fleet.Gateway "${common[@]}" "Core__SecretsKey=$secrets_key" "Urls=http://127.0.0.1:8080" "Facades__Serverledge__Urls=http://127.0.0.1:1323" "Facades__Faasm__Urls=http://127.0.0.1:8002" "Facades__Dcp__Urls=http://127.0.0.1:1234"

fleet_wait_http http://127.0.0.1:8080/health/ready 90 || fleet_die "the gateway is not ready; see .fleet/logs/gateway.log"
cat >&2 <<DONE
[fleet] up: gateway http://127.0.0.1:8080 (and :1323), $workers worker(s)
[fleet] RabbitMQ UI http://127.0.0.1:15672 (user fleet, password in .fleet/secrets.env)
[fleet] logs .fleet/logs/ (servers: .fleet/rabbitmq/log/, .fleet/postgres/server.log), stop with infra/local/down.sh
DONE
