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
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/infra/docker/lib.sh"
set -e

fleet_install_packages "${FLEET_PACKAGES[@]}" docker-compose python3-requests "${FLEET_WASM_SDK_PACKAGES[@]}"
dir=$FLEET_DIR/test
results=$dir/results
rm -rf "$results"
mkdir -p "$results"

password=$(fleet_secret TEST_PASSWORD)
base=${FLEET_TEST_PORT_BASE:-26000} node=${FLEET_TEST_NODE:-fleet-test}
fleet_rabbitmq_start "$node" "$dir/rabbitmq" $((base + 672)) $((base + 673)) $((base + 674))
fleet_rabbitmq_user "$node" fleet "$password"
# The tests make and drop their own databases; durability is not under test, speed is welcome.
FLEET_PG_FSYNC=off fleet_postgres_start "$dir/postgres" $((base + 432)) fleet "$password" fleet
# The compose tests' engine and images: built beside the solution's build and the checks below (mostly downloads).
images_log=$dir/local-images.log
"$FLEET_ROOT/infra/docker/local-images.sh" > "$images_log" 2>&1 &
images_job=$!
if [[ ${FLEET_TEST_KEEP_SERVERS:-0} != 1 ]]; then
  trap 'fleet_rabbitmq_stop "$node" "$dir/rabbitmq"; fleet_postgres_stop "$dir/postgres"; fleet_docker_stop' EXIT
fi
export FLEET_TEST_RABBITMQ="amqp://fleet:$password@127.0.0.1:$((base + 672))/"
export FLEET_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$((base + 674))/"
export FLEET_TEST_POSTGRES="Host=127.0.0.1;Port=$((base + 432));Username=fleet;Password=$password;Database=fleet"
# The fault tests restart the servers: RabbitMQ by node name, PostgreSQL by its data folder.
export FLEET_TEST_RABBITMQ_NODE="$node@localhost" FLEET_TEST_POSTGRES_DATA="$dir/postgres" FLEET_TEST_PG_BIN="$FLEET_PG_BIN"
set +e

passed=0 failed=0
# The compose file must stay valid for Compose v2 and docker-compose 1.29 alike; the compose tests also run it.
if docker-compose --env-file "$FLEET_ROOT/.env.example" -f "$FLEET_ROOT/docker-compose.yml" config -q; then
  echo "compose: docker-compose config passed"; passed=$((passed + 1))
else
  echo "compose: docker-compose config FAILED"; failed=$((failed + 1))
fi
# A new user's clone under /root (mode 700) must run the servers too, not die at their pid files.
if "$FLEET_ROOT/infra/local/check-anywhere.sh" $((base + 5000)) "$node-anywhere"; then
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
else
  echo "docker: no engine or no stand-in images (the compose tests will fail):"; tail -n 20 "$images_log"
fi

# One project at a time, each into its own results folder: the end-to-end tests start many processes of their own.
for project in $(dotnet sln Fleet.sln list | grep 'Tests\.csproj$'); do
  name=$(basename "$project" .csproj)
  # This run's results only: a killed run's test host may still write its .trx into the folder after the rm above.
  rm -rf "${results:?}/$name"
  trx=$results/$name/$name.trx
  if ((build == 0)); then
    dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results/$name" \
      --blame-hang-timeout 10m "$@"
  fi
  if [[ ! -f $trx ]]; then
    echo "$name: no results (build failed, crashed or hung)"; failed=$((failed + 1)); continue
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
done
echo "$passed passed, $failed failed"
((failed == 0))
