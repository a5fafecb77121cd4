#!/bin/bash
# Entrypoint of the fleet-local PostgreSQL stand-in: on an empty PGDATA it creates the cluster the way the official
# image does from POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required) and POSTGRES_DB (default the user),
# with scram-sha-256 for every host; then runs the server as the postgres user.
set -euo pipefail
# As the official image: options alone (`-c fsync=off`) are the server's.
if [[ ${1:-} == -* ]]; then set -- postgres "$@"; fi
as_postgres() { setpriv --reuid postgres --regid postgres --init-groups "$@"; }
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z ${POSTGRES_PASSWORD:-} ]]; then
    echo "error: the database is uninitialised and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres} database=${POSTGRES_DB:-${POSTGRES_USER:-postgres}}
  install -d -o postgres -g postgres -m 0700 "$PGDATA"
  password_file=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" > "$password_file"
  chown postgres "$password_file"
  as_postgres initdb -D "$PGDATA" -U "$user" --pwfile="$password_file" -E UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 > /dev/null
  rm -f "$password_file"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  if [[ $database != postgres ]]; then
    as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start > /dev/null
    as_postgres createdb -U "$user" -h /var/run/postgresql "$database"
    as_postgres pg_ctl -D "$PGDATA" -m fast -w stop > /dev/null
  fi
  echo "PostgreSQL init process complete; ready for start up."
fi
exec setpriv --reuid postgres --regid postgres --init-groups "$@"
