#!/usr/bin/env bash
# Stops what infra/local/up.sh started: the processes named by .fleet/pids/*.pid (workers drain first), then its
# RabbitMQ and PostgreSQL unless --keep-servers. Idempotent.
#
#   infra/local/down.sh [--keep-servers]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep_servers=0
case ${1:-} in
  --keep-servers) keep_servers=1 ;;
  "") ;;
  -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
  *) fleet_die "unknown option $1 (try --help)" ;;
esac

# The gateway first (no new calls), then the workers (they finish or hand back what they hold), the scheduler last.
fleet_service_stop gateway
for pidfile in "$FLEET_DIR"/pids/worker-*.pid; do
  [[ -e $pidfile ]] && fleet_service_stop "$(basename "$pidfile" .pid)" &
done
wait
fleet_service_stop scheduler
if ((!keep_servers)); then
  fleet_rabbitmq_stop fleet "$FLEET_DIR/rabbitmq"
  fleet_postgres_stop "$FLEET_DIR/postgres"
fi
fleet_log "down"
