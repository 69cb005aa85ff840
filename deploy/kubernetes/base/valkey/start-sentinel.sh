#!/bin/sh
# One sentinel of three: it watches the primary under $VALKEY_PRIMARY_NAME with a quorum of 2, by name
# (resolve-hostnames), and announces its own stable name. Sentinel rewrites its configuration file as it
# learns, so the file is written fresh into a writable emptyDir at every start.
set -eu
. /scripts/find-primary.sh
self="$(hostname).asistencia-sentinel"
primary=$(find_primary)
cat >/sentinel/sentinel.conf <<CONF
port 26379
protected-mode no
dir /sentinel
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $self
sentinel monitor $VALKEY_PRIMARY_NAME $primary 6379 2
sentinel down-after-milliseconds $VALKEY_PRIMARY_NAME $SENTINEL_DOWN_AFTER_MS
sentinel failover-timeout $VALKEY_PRIMARY_NAME $SENTINEL_FAILOVER_TIMEOUT_MS
sentinel parallel-syncs $VALKEY_PRIMARY_NAME 1
CONF
echo "start-sentinel: watching $primary"
exec valkey-server /sentinel/sentinel.conf --sentinel
