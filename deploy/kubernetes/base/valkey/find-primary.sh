#!/bin/sh
# Prints the current Valkey primary's name: what the first sentinel that answers says, or, when none
# knows one yet (the very first start), asistencia-valkey-0. Sourced by start-valkey.sh and
# start-sentinel.sh, so a restarted Valkey rejoins as a replica of the primary elected while it was away,
# and a restarted sentinel watches that primary rather than the first one.
find_primary() {
  for i in 0 1 2; do
    answer=$(valkey-cli -h "asistencia-sentinel-$i.asistencia-sentinel" -p 26379 --raw \
      SENTINEL get-master-addr-by-name "$VALKEY_PRIMARY_NAME" 2>/dev/null | head -n 1) || true
    case "$answer" in
      '' | *ERR* | *rror*) ;;
      *) echo "$answer"; return ;;
    esac
  done
  echo "asistencia-valkey-0.asistencia-valkey"
}
