# Shared by the scripts that need a Docker engine (infra/docker/*.sh, test.sh). Source it; it sources infra/local/lib.sh.
#   fleet_docker_start   makes sure an engine answers: uses the one that runs, else (as root) installs Debian's docker.io
#                        and starts dockerd with its data under .fleet/docker/; returns 1 where none can run
#   fleet_docker_stop    stops the engine fleet_docker_start started, and only that one
# shellcheck source=../local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"

FLEET_DOCKER_DIR=$FLEET_DIR/docker
# Debian's engine is 20.10 (API 1.41): newer clients (and Testcontainers) must not ask for more.
export DOCKER_API_VERSION=${DOCKER_API_VERSION:-1.41}

fleet_docker_running() { docker info > /dev/null 2>&1; }

fleet_docker_start() {
  fleet_docker_running && return 0
  [[ $(id -u) == 0 ]] || { fleet_log "no Docker engine answers, and only root can start one"; return 1; }
  command -v dockerd > /dev/null || fleet_install_packages docker.io
  mkdir -p "$FLEET_DOCKER_DIR"
  # --iptables=false: no NAT and no rules on the host; containers reach each other on user-defined networks and the
  # host's published loopback ports, nothing beyond. Builds that restore packages use --network host.
  dockerd --iptables=false --data-root "$FLEET_DOCKER_DIR/data" --exec-root /run/fleet-docker \
    --pidfile /run/fleet-docker.pid > "$FLEET_DOCKER_DIR/dockerd.log" 2>&1 &
  echo $! > "$FLEET_DOCKER_DIR/started.pid"
  local attempt
  for ((attempt = 0; attempt < 60; attempt++)); do
    fleet_docker_running && { fleet_log "started dockerd (data in ${FLEET_DOCKER_DIR#"$FLEET_ROOT"/}/data)"; return 0; }
    kill -0 "$(cat "$FLEET_DOCKER_DIR/started.pid")" 2> /dev/null || break
    sleep 0.5
  done
  fleet_log "dockerd did not start: $(tail -n 3 "$FLEET_DOCKER_DIR/dockerd.log")"
  rm -f "$FLEET_DOCKER_DIR/started.pid"
  return 1
}

fleet_docker_stop() {
  local pidfile=$FLEET_DOCKER_DIR/started.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  kill "$pid" 2> /dev/null || return 0
  local attempt
  for ((attempt = 0; attempt < 60; attempt++)); do
    kill -0 "$pid" 2> /dev/null || { fleet_log "stopped the dockerd it started"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2> /dev/null || true
}
