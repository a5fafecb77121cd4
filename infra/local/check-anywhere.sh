#!/usr/bin/env bash
# A checkout under a folder that the servers' users cannot enter (a clone in /root, mode 700) must still run its private
# RabbitMQ and PostgreSQL. Copies infra/ (all lib.sh needs) into a fresh mode-700 folder, starts both servers from there
# with lib.sh, checks they answer and stop, checks that an open checkout keeps its paths and that one without root is
# refused with advice, and removes everything again, also on failure. Needs root, as the servers do.
# Ports base+672..674 and base+432 (default base 36000); ../../test.sh runs it.
#
#   infra/local/check-anywhere.sh [PORT_BASE [NODE]]
set -uo pipefail

base=${1:-36000} node=${2:-fleet-anywhere}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail() { printf '[anywhere] FAILED: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || fail "run it as root (the servers run as their own users only when started by root)"

closed=$(mktemp -d /tmp/fleet-anywhere.XXXXXX) && chmod 700 "$closed" || fail "no temp folder"
open=$(mktemp -d /tmp/fleet-open.XXXXXX) && chmod 755 "$open" || fail "no temp folder"
cp -a "$here" "$closed/infra" && cp -a "$here" "$open/infra" || fail "cannot copy infra/"
# The copy's own .fleet/, not the caller's.
unset FLEET_DIR
source "$closed/infra/local/lib.sh"
dir=$FLEET_DIR/test

stopped=0
cleanup() {
  # Each rabbitmqctl call costs a second or two: skipped once the servers are known to be down.
  if ((!stopped)); then
    fleet_rabbitmq_stop "$node" "$dir/rabbitmq"
    fleet_postgres_stop "$dir/postgres"
  fi
  local link target
  for link in "$dir/rabbitmq" "$dir/postgres"; do
    target=$(readlink "$link" 2>/dev/null) || continue
    # Only data that lib.sh put away for this checkout.
    [[ $target == /var/lib/fleet/?*/?* ]] && rm -rf "$target" && rmdir "${target%/*}" 2>/dev/null
  done
  rm -rf "$closed" "$open"
}
trap cleanup EXIT

started=$SECONDS
password=$(fleet_secret ANYWHERE_PASSWORD)
[[ -s $closed/.fleet/secrets.env ]] || fail "secrets.env is not in the checkout"
fleet_rabbitmq_start "$node" "$dir/rabbitmq" $((base + 672)) $((base + 673)) $((base + 674))
FLEET_PG_FSYNC=off fleet_postgres_start "$dir/postgres" $((base + 432)) fleet "$password" fleet

# A fresh node's guest user may log in from loopback; one rabbitmqctl call fewer than making a user.
curl -fsS -o /dev/null -u guest:guest "http://127.0.0.1:$((base + 674))/api/overview" ||
  fail "RabbitMQ's management API does not answer on $((base + 674))"
[[ $(PGPASSWORD=$password psql -h 127.0.0.1 -p $((base + 432)) -U fleet -d fleet -qAt -c 'SELECT 41 + 1') == 42 ]] ||
  fail "PostgreSQL does not answer on $((base + 432))"
# Their logs stay reachable from the checkout (through the link when the data lives elsewhere).
compgen -G "$dir/rabbitmq/log/*.log" >/dev/null || fail "no RabbitMQ log under $dir/rabbitmq/log"
[[ -s $dir/postgres/server.log ]] || fail "no PostgreSQL log at $dir/postgres/server.log"

fleet_rabbitmq_stop "$node" "$dir/rabbitmq"
fleet_postgres_stop "$dir/postgres"
listens() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
listens $((base + 672)) && fail "RabbitMQ $node still listens on $((base + 672)) after stop"
listens $((base + 432)) && fail "PostgreSQL still listens on $((base + 432)) after stop"
stopped=1

# An enterable checkout keeps its data where it always was.
kept=$open/.fleet/test/rabbitmq
[[ $(fleet_server_dir rabbitmq "$kept") == "$kept" && ! -L $kept ]] ||
  fail "an enterable checkout's data moved"
# Without root nothing can be put elsewhere: a clear refusal that says what to do.
refusal=$(runuser -u nobody -- bash -c 'source "$1/infra/local/lib.sh"; fleet_server_dir nobody "$2/.fleet/test/x"' _ \
  "$open" "$closed" 2>&1) && fail "no refusal without root"
[[ $refusal == *"chmod o+x $closed"* ]] || fail "the refusal does not say what to do: $refusal"

printf '[anywhere] passed in %d s\n' $((SECONDS - started)) >&2
