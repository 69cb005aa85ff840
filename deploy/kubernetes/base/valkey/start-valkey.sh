#!/bin/sh
# One Valkey of the StatefulSet: the primary when the sentinels say so (or, on the very first start, when
# it is asistencia-valkey-0), a replica of the primary otherwise. It announces its stable name, so the
# sentinels and node-service (through them) reach it by name across restarts.
set -eu
. /scripts/find-primary.sh
self="$(hostname).asistencia-valkey"
primary=$(find_primary)
# Protected mode off, as the official image's entrypoint (which this command replaces) turns it off: the
# network policies decide who connects (network-policies.yaml).
set -- --port 6379 --protected-mode no --dir /data \
  --appendonly yes --appendfsync everysec --save "" \
  --maxmemory "$VALKEY_MAXMEMORY" --maxmemory-policy volatile-ttl \
  --replica-announce-ip "$self"
if [ "$primary" != "$self" ]; then
  echo "start-valkey: replica of $primary"
  set -- "$@" --replicaof "$primary" 6379
else
  echo "start-valkey: primary"
fi
exec valkey-server "$@"
