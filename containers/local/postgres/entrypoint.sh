#!/usr/bin/env bash
# What the official PostgreSQL image's entrypoint does that this product relies on:
# - POSTGRES_USER (default postgres), POSTGRES_DB (default the user), POSTGRES_PASSWORD or
#   POSTGRES_PASSWORD_FILE (a podman secret): the superuser and database made on first start;
# - on an empty PGDATA, initdb, then every /docker-entrypoint-initdb.d/*.sh (run if executable, sourced
#   otherwise) and *.sql against a server listening on its Unix socket only, once;
# - the server then listens on the container's network, password (scram-sha-256) required, as the
#   unprivileged postgres user (the entrypoint starts as root only to own the volume and socket folder).
set -Eeuo pipefail

say() { echo "postgres entrypoint: $*" >&2; }

file_env() {
  local name=$1 file_name="${1}_FILE"
  if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then say "both $name and $file_name are set"; exit 1; fi
  if [ -n "${!file_name:-}" ]; then export "$name"="$(<"${!file_name}")"; unset "$file_name"; fi
}

init_database() {
  [ -n "${POSTGRES_PASSWORD:-}" ] || { say "POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is required"; exit 1; }
  local pwfile
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) if [ -x "$f" ]; then say "running $f"; "$f"; else say "sourcing $f"; . "$f"; fi ;;
      *.sql) say "running $f"; psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$f" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  say "initialised; ready for start up"
}

main() {
  if [ "${1:-}" != postgres ]; then exec "$@"; fi
  file_env POSTGRES_PASSWORD
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
  fi
  export POSTGRES_USER=${POSTGRES_USER:-postgres}
  export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
  [ -s "$PGDATA/PG_VERSION" ] || init_database
  unset POSTGRES_PASSWORD
  exec "$@" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql
}

main "$@"
