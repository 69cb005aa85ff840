#!/usr/bin/env bash
# Applies database/migrations/NNN.do.name.sql, in order, then runs every database/functions/*.sql (the
# SQL functions, CREATE OR REPLACE, in name order), when the PostgreSQL container initialises an empty data
# directory (it runs every /docker-entrypoint-initdb.d/*.sh once, then never again).
#
# Each migration runs in a transaction of its own (psql --single-transaction, ON_ERROR_STOP) together with
# its row in public.asistencia_migrations, written exactly as node-service's runner (postgrator) writes it:
# same table and columns, version = the file's number, name = the part between ".do." and ".sql",
# md5 = MD5 of the file's bytes (postgrator hashes the file's UTF-8 text, unchanged). The service starting
# afterwards therefore finds every migration applied, verifies the checksums and runs nothing again.
#
# Like the service it takes the advisory lock "asistencia.migrations" (node-service/src/shared/storage/
# locks.ts, locks.migrations: test/storage/locks.test.ts holds the key below equal to it), applies only
# files numbered above the highest recorded version, and stops when an applied file no longer matches its
# recorded checksum. The function files are not recorded: they run every time, all in one transaction under
# the same lock, after the migrations, so the functions are what the files say (as node-service's runner
# leaves them: shared/storage/migrations.ts).
#
# Settings (the postgres image's own variables, so it also runs by hand against any server):
#   POSTGRES_USER (default postgres), POSTGRES_DB (default POSTGRES_USER), PGHOST/PGPORT/PGPASSWORD as
#   for psql (unset in the container: the init server listens on its Unix socket only), MIGRATIONS_DIR
#   (default: the "migrations" folder beside this script), FUNCTIONS_DIR (default: the "functions" folder
#   beside this script).
#
# Migrations and function files must be plain SQL that the server accepts as one script: no psql backslash commands and no
# :variables, since the service sends the file to the server as it is.

asistencia_apply_migrations() (
  set -Eeuo pipefail

  local_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  migrations_dir=${MIGRATIONS_DIR:-$local_dir/migrations}
  functions_dir=${FUNCTIONS_DIR:-$local_dir/functions}
  user=${POSTGRES_USER:-postgres}
  database=${POSTGRES_DB:-$user}
  table=public.asistencia_migrations
  lock="SELECT pg_advisory_xact_lock(hashtext('asistencia.migrations'));"
  say() { echo "asistencia init.sh: $*" >&2; }
  sql() {
    PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
      psql -X -q -v ON_ERROR_STOP=1 --no-password --username "$user" --dbname "$database" "$@"
  }

  [ -d "$migrations_dir" ] || { say "the migrations folder $migrations_dir does not exist"; return 1; }
  [ -d "$functions_dir" ] || { say "the functions folder $functions_dir does not exist"; return 1; }

  # The tracking table, as postgrator creates it: version first with a row for version 0, then the
  # columns it adds one by one.
  sql --single-transaction --output /dev/null <<-SQL
	$lock
	DO \$\$
	BEGIN
	  IF to_regclass('$table') IS NULL THEN
	    CREATE TABLE $table (version BIGINT PRIMARY KEY);
	    INSERT INTO $table (version) VALUES (0);
	  END IF;
	END
	\$\$;
	ALTER TABLE $table ADD COLUMN IF NOT EXISTS name TEXT;
	ALTER TABLE $table ADD COLUMN IF NOT EXISTS md5 TEXT;
	ALTER TABLE $table ADD COLUMN IF NOT EXISTS run_at TIMESTAMP WITH TIME ZONE;
	SQL

  # Migration files in version order: "version<TAB>file".
  files=$(
    for path in "$migrations_dir"/*.sql; do
      file=${path##*/}
      [[ $file =~ ^([0-9]+)\.do\.[A-Za-z0-9_-]+\.sql$ ]] || continue
      printf '%d\t%s\n' "$((10#${BASH_REMATCH[1]}))" "$file"
    done | sort -n -k1,1
  )
  [ -n "$files" ] || { say "no NNN.do.name.sql files in $migrations_dir"; return 1; }

  applied_version=$(sql -At -c "SELECT coalesce(max(version), 0) FROM $table")
  recorded=$(sql -At -F $'\t' -c "SELECT version, md5 FROM $table WHERE md5 IS NOT NULL")
  count=0
  while IFS=$'\t' read -r version file; do
    name=${file#*.do.}
    name=${name%.sql}
    md5=$(md5sum "$migrations_dir/$file" | cut -d' ' -f1)
    if [ "$version" -le "$applied_version" ]; then
      known=$(awk -F '\t' -v v="$version" '$1 == v { print $2 }' <<<"$recorded")
      if [ -n "$known" ] && [ "$known" != "$md5" ]; then
        say "$file was edited after it was applied (checksum mismatch): restore it and add a new numbered migration instead"
        return 1
      fi
      continue
    fi
    say "applying $file"
    sql --single-transaction --output /dev/null \
      -c "$lock" \
      -f "$migrations_dir/$file" \
      -c "INSERT INTO $table (version, name, md5, run_at) VALUES ($version, '$name', '$md5', now());"
    count=$((count + 1))
  done <<<"$files"
  say "$count migration(s) applied to database \"$database\""

  # The function files, in name order (byte order, as the service sorts them), in one transaction.
  functions=()
  while IFS= read -r file; do
    if [[ $file =~ ^[A-Za-z0-9_.-]+\.sql$ ]] && [ -f "$functions_dir/$file" ]; then functions+=(-f "$functions_dir/$file"); fi
  done < <(ls -A "$functions_dir" | LC_ALL=C sort)
  sql --single-transaction --output /dev/null -c "$lock" "${functions[@]}"
  say "$(( ${#functions[@]} / 2 )) function file(s) applied to database \"$database\""
)

asistencia_apply_migrations "$@"
