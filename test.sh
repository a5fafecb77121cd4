#!/usr/bin/env bash
# Every test project against real servers: installs what is missing (Debian packages, when root), starts a private
# RabbitMQ (AMQP 26672, management 26674) and PostgreSQL (26432) under .fleet/test/, checks the compose file with
# docker-compose config, starts a Docker engine where none runs (as root: Debian's dockerd, data under .fleet/docker/,
# stopped again at the end) and builds the stand-in base images (infra/docker/local-images.sh) for the tests that run
# docker-compose.yml for real, checks that a checkout in a closed folder runs both servers too (infra/local/check-anywhere.sh,
# on base+5000: 31672..31674, 31432, below Linux's ephemeral ports, which a client's connection may hold), runs `dotnet test` on Fleet.sln and ends with one line: "N passed, N failed".
# FLEET_TEST_KEEP_SERVERS=1 leaves the servers running for the next run; FLEET_TEST_PORT_BASE (default 26000) moves
# the ports (base+672..674, base+432; at most 44000: the closed-checkout check runs on base+5000, and rabbitmqctl
# takes a node's distribution port + 10000 for itself) and FLEET_TEST_NODE (default fleet-test) names the RabbitMQ
# node, so a second checkout can test beside the first; extra arguments go to dotnet test (e.g. --filter FullyQualifiedName~Serverledge).
# FLEET_TEST_SERVERS=containers starts no native server (nor the closed-checkout check) and exports none of the
# FLEET_TEST_* server variables: the fixtures start RabbitMQ and PostgreSQL in Docker through Testcontainers
# (tests/Fleet.Testing), images FLEET_TEST_RABBITMQ_IMAGE (default rabbitmq:3.13-management) and FLEET_TEST_POSTGRES_IMAGE
# (default postgres:15), on the same ports from FLEET_TEST_PORT_BASE. It sets DOCKER_API_VERSION to the engine's own
# (Testcontainers 4.16 needs 1.41 with Debian's 20.10 engine) and TESTCONTAINERS_RYUK_DISABLED=true unless they are set,
# and removes containers labelled fleet.test-servers=<port base> that a killed run or an earlier project left: before
# each test project and after the run.
# With native servers (the default) and no arguments, the PostgreSQL store tests run a second time on a Testcontainers
# PostgreSQL (the stand-in image), as Fleet.Storage.Tests.Containers.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/infra/docker/lib.sh"
set -e

servers=${FLEET_TEST_SERVERS:-native}
[[ $servers == native || $servers == containers ]] || fleet_die "FLEET_TEST_SERVERS is native or containers, not $servers"
packages=()
for package in "${FLEET_PACKAGES[@]}"; do
  # The servers' own packages only for native servers.
  [[ $servers == containers && $package =~ ^(rabbitmq-server|postgresql-15)$ ]] || packages+=("$package")
done
fleet_install_packages "${packages[@]}" docker-compose python3-requests "${FLEET_WASM_SDK_PACKAGES[@]}"
dir=$FLEET_DIR/test
results=$dir/results
rm -rf "$results"
mkdir -p "$results"

password=$(fleet_secret TEST_PASSWORD)
base=${FLEET_TEST_PORT_BASE:-26000} node=${FLEET_TEST_NODE:-fleet-test}
# The compose tests' engine (started here, so that this run stops it at the end) and their images: the images are
# built beside the solution's build and the checks below (mostly downloads).
fleet_docker_start || true
images_log=$dir/local-images.log
"$FLEET_ROOT/infra/docker/local-images.sh" > "$images_log" 2>&1 &
images_job=$!
if [[ $servers == containers ]]; then
  # The fixtures remove their containers themselves; these are what a killed test process left on this port base
  # (swept before each project, run_project, and at the end).
  sweep() { docker ps -aq --filter "label=fleet.test-servers=$base" | xargs -r docker rm -f -v >/dev/null; }
  trap 'sweep; fleet_docker_stop' EXIT
  unset FLEET_TEST_RABBITMQ FLEET_TEST_RABBITMQ_MANAGEMENT FLEET_TEST_POSTGRES
  export FLEET_TEST_PORT_BASE=$base
  export DOCKER_API_VERSION=${DOCKER_API_VERSION:-$(docker version --format '{{.Server.APIVersion}}')}
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
else
  fleet_rabbitmq_start "$node" "$dir/rabbitmq" $((base + 672)) $((base + 673)) $((base + 674))
  fleet_rabbitmq_user "$node" fleet "$password"
  # The tests make and drop their own databases; durability is not under test, speed is welcome.
  FLEET_PG_FSYNC=off fleet_postgres_start "$dir/postgres" $((base + 432)) fleet "$password" fleet
  if [[ ${FLEET_TEST_KEEP_SERVERS:-0} != 1 ]]; then
    trap 'fleet_rabbitmq_stop "$node" "$dir/rabbitmq"; fleet_postgres_stop "$dir/postgres"; fleet_docker_stop' EXIT
  fi
  export FLEET_TEST_RABBITMQ="amqp://fleet:$password@127.0.0.1:$((base + 672))/"
  export FLEET_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$((base + 674))/"
  export FLEET_TEST_POSTGRES="Host=127.0.0.1;Port=$((base + 432));Username=fleet;Password=$password;Database=fleet"
  # The fault tests restart the servers: RabbitMQ by node name, PostgreSQL by its data folder.
  export FLEET_TEST_RABBITMQ_NODE="$node@localhost" FLEET_TEST_POSTGRES_DATA="$dir/postgres" FLEET_TEST_PG_BIN="$FLEET_PG_BIN"
fi
set +e

passed=0 failed=0
# The compose file must stay valid for Compose v2 and docker-compose 1.29 alike; the compose tests also run it.
if docker-compose --env-file "$FLEET_ROOT/.env.example" -f "$FLEET_ROOT/docker-compose.yml" config -q; then
  echo "compose: docker-compose config passed"; passed=$((passed + 1))
else
  echo "compose: docker-compose config FAILED"; failed=$((failed + 1))
fi
# A new user's clone under /root (mode 700) must run the servers too, not die at their pid files.
if [[ $servers == containers ]]; then
  echo "anywhere: skipped (FLEET_TEST_SERVERS=containers runs no native server)"
elif "$FLEET_ROOT/infra/local/check-anywhere.sh" $((base + 5000)) "$node-anywhere"; then
  echo "anywhere: servers from a closed checkout passed"; passed=$((passed + 1))
else
  echo "anywhere: servers from a closed checkout FAILED"; failed=$((failed + 1))
fi

cd "$FLEET_ROOT"
dotnet build Fleet.sln -c Release --nologo -v quiet -clp:ErrorsOnly
build=$?

if wait "$images_job"; then
  # The stand-ins' names, for docker-compose (ComposeTests) and the images the tests build (CustomRuntimeTests).
  set -a
  source "$FLEET_DOCKER_DIR/local-images.env"
  set +a
  export FLEET_TEST_RABBITMQ_IMAGE=${FLEET_TEST_RABBITMQ_IMAGE:-$FLEET_RABBITMQ_IMAGE}
  export FLEET_TEST_POSTGRES_IMAGE=${FLEET_TEST_POSTGRES_IMAGE:-$FLEET_POSTGRES_IMAGE}
  images=1
else
  images=0
  echo "docker: no engine or no stand-in images (the compose tests will fail):"; tail -n 20 "$images_log"
fi

# run_project NAME PROJECT [dotnet test arguments]: one test project into its own results folder, counted; the
# command in test_env (env ...), when set, runs it with other variables.
test_env=()
run_project() {
  local name=$1 project=$2 trx counters p f t a
  shift 2
  # This run's results only: a killed run's test host may still write its .trx into the folder after the rm above.
  rm -rf "${results:?}/$name"
  # The containers an earlier project's test process left (one that ended before removing them) hold the fixed ports.
  [[ $servers == containers ]] && sweep
  trx=$results/$name/$name.trx
  if ((build == 0)); then
    "${test_env[@]}" dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results/$name" \
      --blame-hang-timeout 10m "$@"
  fi
  if [[ ! -f $trx ]]; then
    echo "$name: no results (build failed, crashed or hung)"; failed=$((failed + 1)); return
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<< "$counters"; }
  p=$(count passed) f=$(count failed) t=$(count timeout) a=$(count aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${t:-0} + ${a:-0}))
  # A test that hung or crashed the test host is in no counter: the run's outcome says so.
  if ! grep -q '<ResultSummary outcome="Completed"' "$trx" && ((${f:-0} + ${t:-0} + ${a:-0} == 0)); then
    echo "$name: the run was aborted (a test crashed the test host or hung)"; failed=$((failed + 1))
  fi
}

# One project at a time: the end-to-end tests start many processes of their own.
for project in $(dotnet sln Fleet.sln list | grep 'Tests\.csproj$'); do
  run_project "$(basename "$project" .csproj)" "$project" "$@"
done
# With native servers, the PostgreSQL store tests run once more on a PostgreSQL that Testcontainers starts (free port,
# the stand-in image), so that path is tested too; a run with arguments of its own (a filter) skips it.
if [[ $servers == native ]] && (($# == 0)); then
  if ((images)); then
    test_env=(env -u FLEET_TEST_POSTGRES -u FLEET_TEST_PORT_BASE TESTCONTAINERS_RYUK_DISABLED=true)
    run_project Fleet.Storage.Tests.Containers tests/Fleet.Storage.Tests/Fleet.Storage.Tests.csproj --filter FullyQualifiedName~Postgres
  else
    echo "Fleet.Storage.Tests.Containers: no Docker engine or images"; failed=$((failed + 1))
  fi
fi
echo "$passed passed, $failed failed"
((failed == 0))
