#!/bin/sh
# Starts as root only to own the data volume, then runs Patroni as the postgres user (PostgreSQL refuses
# root). Patroni's settings are written to /tmp (a tmpfs) from the environment and the secret files
# (settings.py): no password is in the image, the compose file or the environment.
set -eu
if [ "$(id -u)" = 0 ]; then
  mkdir -p /var/lib/postgresql/data /var/run/postgresql
  chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
  chmod 700 /var/lib/postgresql/data
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
umask 077
python3 /usr/local/libexec/asistencia/settings.py >/tmp/patroni.yml
# Patroni as PID 1 reaps the processes PostgreSQL leaves (it checks for that itself).
exec patroni /tmp/patroni.yml
