#!/bin/sh
# Patroni runs this once, on the member that initialises the cluster, with the superuser's connection
# string: the role and database node-service uses (DATABASE_URL's user and password, the postgres_password
# secret). node-service applies its migrations when it starts.
set -eu
password=$(cat "${ASISTENCIA_PASSWORD_FILE:-/run/secrets/postgres_password}")
psql -X -q -v ON_ERROR_STOP=1 -v password="$password" "$1" <<'SQL'
CREATE ROLE asistencia LOGIN PASSWORD :'password';
CREATE DATABASE asistencia OWNER asistencia;
SQL
