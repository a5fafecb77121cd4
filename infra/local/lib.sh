# Shared by up.sh, down.sh, ../../test.sh and ../../bench/run.sh: packages, private RabbitMQ and PostgreSQL
# instances under .fleet/ (in /var/lib/fleet when their users cannot enter the checkout: fleet_server_dir), and the
# services as background processes with one pid file each.
# shellcheck shell=bash

FLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FLEET_DIR=${FLEET_DIR:-$FLEET_ROOT/.fleet}
FLEET_PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the servers, the sandbox and the function runtimes need.
# What sdk/faasm/fleet-wasm-cc builds WebAssembly functions with (the tests build theirs).
FLEET_WASM_SDK_PACKAGES=(clang-14 lld-14 wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32)
FLEET_PACKAGES=(rabbitmq-server postgresql-15 bubblewrap python3 python3-dill python3-msgpack python3-requests nodejs curl)

fleet_log() { printf '[fleet] %s\n' "$*" >&2; }
fleet_die() { printf '[fleet] error: %s\n' "$*" >&2; exit 1; }

# Installs whichever of the given packages (default: FLEET_PACKAGES) are missing; needs root for that.
fleet_install_packages() {
  local wanted=("$@") missing=() package
  ((${#wanted[@]})) || wanted=("${FLEET_PACKAGES[@]}")
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || fleet_die "missing Debian packages: ${missing[*]} (run as root, or install them: apt-get install ${missing[*]})"
  fleet_log "installing ${missing[*]}"
  # Package scripts must not start the system-wide servers (Fleet runs its own instances): a policy-rc.d for the
  # duration of the install, unless the machine has its own.
  local policy=/usr/sbin/policy-rc.d ours=0 status=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && ours=1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    status=$?
  ((ours)) && rm -f "$policy"
  ((status == 0)) || fleet_die "apt-get install ${missing[*]} failed"
}

# Runs a command as the given system user when we are root (the servers refuse to run as root).
fleet_as() {
  local user=$1; shift
  if [[ $(id -u) == 0 ]]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# A password kept in .fleet/secrets.env (made on first use, never committed).
fleet_secret() {
  local name=$1 file=$FLEET_DIR/secrets.env
  mkdir -p "$FLEET_DIR"
  touch "$file" && chmod 600 "$file"
  if ! grep -q "^$name=" "$file"; then
    echo "$name=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >> "$file"
  fi
  sed -n "s/^$name=//p" "$file"
}

# fleet_server_dir [--existing] USER DIR: prints where the server that runs as USER keeps the data (and logs) asked for
# at DIR; the one rule for both servers. Usually DIR itself. A checkout under a folder USER cannot enter (a clone in
# /root, mode 700) would kill the servers at their pid files, so as root the data goes to
# /var/lib/fleet/<hash of DIR's folder>/<name> instead, with DIR a symbolic link to it that stop and people follow.
# Without root it refuses and says what to do. --existing only follows such a link (for stop: makes nothing).
fleet_server_dir() {
  local existing=0
  [[ $1 == --existing ]] && { existing=1; shift; }
  local user=$1 dir=$2 parent place
  parent=$(realpath -m "$(dirname "$dir")")
  place=/var/lib/fleet/$(printf '%s' "$parent" | sha256sum | cut -c1-12)/$(basename "$dir")
  if [[ -L $dir && $(readlink "$dir") == "$place" ]]; then
    ((existing)) || fleet_log "data and logs of $dir in $place (the link leads there)"
    echo "$place"; return 0
  fi
  ((existing)) && { echo "$dir"; return 0; }
  mkdir -p "$parent" 2>/dev/null
  if [[ -d $parent ]] && fleet_as "$user" test -x "$parent"; then
    # A link to somewhere else came with a copied or moved checkout: that data is not this checkout's.
    [[ -L $dir ]] && fleet_log "dropping the link $dir -> $(readlink "$dir") (not this checkout's data)" && rm -f "$dir"
    echo "$dir"; return 0
  fi
  # The first folder from the top that USER cannot enter is the one to name.
  local path="" part parts blocked=""
  IFS=/ read -ra parts <<< "${parent#/}"
  for part in "${parts[@]}"; do
    path+=/$part
    [[ -d $path ]] || break
    fleet_as "$user" test -x "$path" || { blocked=$path; break; }
  done
  [[ -n $blocked ]] || fleet_die "cannot make $parent"
  local why="$user cannot enter $blocked ($(stat -c '%A %U' "$blocked")), above $dir"
  local what="move the checkout to a folder $user can enter, or open the way with chmod o+x $blocked (and any closed"
  what+=" folder below it), or run as root (the servers' data then goes to /var/lib/fleet)"
  [[ $(id -u) == 0 ]] || fleet_die "$why: $what"
  if [[ -L $dir ]]; then
    fleet_log "dropping the link $dir -> $(readlink "$dir") (not this checkout's data)"; rm -f "$dir"
  elif [[ -e $dir ]]; then
    [[ -e $place ]] && fleet_die "$why, and both $dir and $place exist: remove the one not wanted"
    install -d -m 755 /var/lib/fleet "${place%/*}" && mv -T "$dir" "$place" || fleet_die "cannot move $dir to $place"
  fi
  # Root-owned, world-enterable parents; the leaf is the server's own.
  install -d -m 755 /var/lib/fleet "${place%/*}" && mkdir -p "$place" && chown "$user:" "$place" && ln -s "$place" "$dir" ||
    fleet_die "cannot make $place for $dir"
  fleet_log "$why: keeping its data and logs in $place ($dir links to it)"
  echo "$place"
}

fleet_wait_http() {
  local url=$1 seconds=${2:-60} i
  for ((i = 0; i < seconds * 4; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.25
  done
  return 1
}

# fleet_rabbitmq_start NODE DIR AMQP_PORT DIST_PORT MANAGEMENT_PORT: a private node with the management plugin.
# Mind that rabbitmqctl itself listens on 35672-35682 (a node's distribution port + 10000): no node may use those.
fleet_rabbitmq_start() {
  local node=$1 dir amqp=$3 dist=$4 management=$5
  dir=$(fleet_server_dir rabbitmq "$2") || exit 1
  mkdir -p "$dir/mnesia" "$dir/log"
  echo '[rabbitmq_management].' > "$dir/enabled_plugins"
  cat > "$dir/rabbitmq.conf" <<CONF
management.tcp.ip = 127.0.0.1
management.tcp.port = $management
CONF
  [[ $(id -u) == 0 ]] && chown -R rabbitmq:rabbitmq "$dir"
  export RABBITMQ_NODENAME=$node@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$amqp RABBITMQ_DIST_PORT=$dist \
    RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/rabbitmq.pid \
    RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none"
  # Erlang schedulers that busy-wait for work take whole cores from the services on a small machine.
  if rabbitmqctl -n "$node@localhost" -q status >/dev/null 2>&1; then
    fleet_log "RabbitMQ $node already running on $amqp"
  else
    fleet_log "starting RabbitMQ $node on $amqp (management on $management)"
    rm -f "$dir/rabbitmq.pid"
    rabbitmq-server -detached
    # `wait` first waits for the pid file the starting node writes, then for the broker to boot.
    rabbitmqctl -n "$node@localhost" -q wait "$dir/rabbitmq.pid" --timeout 180 >/dev/null ||
      fleet_die "RabbitMQ did not start; see $dir/log"
  fi
  unset RABBITMQ_NODENAME RABBITMQ_NODE_IP_ADDRESS RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT RABBITMQ_MNESIA_BASE RABBITMQ_LOG_BASE \
    RABBITMQ_PID_FILE RABBITMQ_ENABLED_PLUGINS_FILE RABBITMQ_CONFIG_FILE RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS
}

# fleet_rabbitmq_user NODE USER PASSWORD: an administrator of every vhost (tests make their own vhosts).
fleet_rabbitmq_user() {
  local node=$1 user=$2 password=$3
  if rabbitmqctl -n "$node@localhost" -q list_users | grep -q "^$user\b"; then
    rabbitmqctl -n "$node@localhost" -q change_password "$user" "$password" >/dev/null
  else
    rabbitmqctl -n "$node@localhost" -q add_user "$user" "$password" >/dev/null
  fi
  rabbitmqctl -n "$node@localhost" -q set_user_tags "$user" administrator >/dev/null
  rabbitmqctl -n "$node@localhost" -q set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
}

# fleet_rabbitmq_stop NODE DIR: returns once the node's process has exited (its ports are free again).
fleet_rabbitmq_stop() {
  local node=$1 dir
  dir=$(fleet_server_dir --existing rabbitmq "$2")
  if rabbitmqctl -n "$node@localhost" -q status >/dev/null 2>&1; then
    fleet_log "stopping RabbitMQ $node"
    local pidfile
    pidfile=$(realpath -e "$dir/rabbitmq.pid" 2>/dev/null) || pidfile=""
    # With the pid file, stop returns only when the process has gone; rabbitmqctl runs as rabbitmq, so the path is absolute.
    timeout 120 rabbitmqctl -n "$node@localhost" -q stop ${pidfile:+"$pidfile"} >/dev/null 2>&1 || true
  fi
}

# fleet_postgres_start DIR PORT USER PASSWORD DATABASE: a private cluster on 127.0.0.1 with one login role.
fleet_postgres_start() {
  local dir port=$2 user=$3 password=$4 database=$5
  dir=$(fleet_server_dir postgres "$1") || exit 1
  if [[ ! -s $dir/PG_VERSION ]]; then
    fleet_log "creating PostgreSQL cluster in $dir"
    mkdir -p "$dir"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    fleet_as postgres "$FLEET_PG_BIN/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  fi
  if fleet_as postgres "$FLEET_PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    fleet_log "PostgreSQL already running on $port"
  else
    fleet_log "starting PostgreSQL on $port"
    fleet_as postgres "$FLEET_PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 120 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${FLEET_PG_FSYNC:-on}" start >/dev/null ||
      fleet_die "PostgreSQL did not start; see $dir/server.log"
  fi
  local psql=(fleet_as postgres "$FLEET_PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
  if [[ -z $("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'") ]]; then
    "${psql[@]}" -c "CREATE ROLE \"$user\" LOGIN CREATEDB PASSWORD '$password'" >/dev/null
  else
    "${psql[@]}" -c "ALTER ROLE \"$user\" LOGIN CREATEDB PASSWORD '$password'" >/dev/null
  fi
  if [[ -z $("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'") ]]; then
    "${psql[@]}" -c "CREATE DATABASE \"$database\" OWNER \"$user\"" >/dev/null
  fi
}

fleet_postgres_stop() {
  local dir
  dir=$(fleet_server_dir --existing postgres "$1")
  if [[ -s $dir/PG_VERSION ]] && fleet_as postgres "$FLEET_PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    fleet_log "stopping PostgreSQL"
    fleet_as postgres "$FLEET_PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

# The pid in a pid file, if that process is still one of ours (a Fleet service started from this checkout).
fleet_live_pid() {
  local file=$1 pid
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'Fleet\.' && echo "$pid"
}

# fleet_service_start NAME PROJECT [VAR=VALUE...]: the service's Release build as a background process.
fleet_service_start() {
  local name=$1 project=$2; shift 2
  local pidfile=$FLEET_DIR/pids/$name.pid logfile=$FLEET_DIR/logs/$name.log
  mkdir -p "$FLEET_DIR/pids" "$FLEET_DIR/logs"
  if fleet_live_pid "$pidfile" >/dev/null; then
    fleet_log "$name already running (pid $(<"$pidfile"))"
    return 0
  fi
  local dll=$FLEET_ROOT/services/$project/bin/Release/net10.0/$project.dll
  [[ -f $dll ]] || fleet_die "$dll is missing: build first (dotnet build Fleet.sln -c Release)"
  (cd "$FLEET_ROOT" && exec env "$@" nohup dotnet "$dll" >> "$logfile" 2>&1 < /dev/null) &
  echo $! > "$pidfile"
  fleet_log "started $name (pid $!, log ${logfile#"$FLEET_ROOT"/})"
}

# fleet_service_stop NAME: SIGTERM (workers drain what they hold), SIGKILL after the grace period.
fleet_service_stop() {
  local name=$1 pid i
  local pidfile=$FLEET_DIR/pids/$name.pid
  if pid=$(fleet_live_pid "$pidfile"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 400; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      fleet_log "$name did not stop in 100 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    fleet_log "stopped $name"
  fi
  rm -f "$pidfile"
}
