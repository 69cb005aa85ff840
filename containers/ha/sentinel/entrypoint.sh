#!/bin/sh
# A sentinel rewrites its own file (the replicas and other sentinels it finds, the primary after a
# failover): the file is made on /data (a tmpfs) at each start from the environment, then the sentinel
# runs as the unprivileged redis user.
#   SENTINEL_NAME             this sentinel's host name on the network (announced to the others)
#   SENTINEL_MASTER           the name the primary is watched under (node-service's VALKEY_SENTINEL_MASTER)
#   SENTINEL_PRIMARY          the primary's host name at first start, and its port (host:port)
#   SENTINEL_QUORUM           sentinels that must agree the primary is down (default 2 of 3)
#   SENTINEL_DOWN_AFTER_MS    unanswered for this long, a server is down (default 2000)
#   SENTINEL_FAILOVER_TIMEOUT_MS                                       (default 10000)
set -eu
primary=${SENTINEL_PRIMARY:?host:port of the primary}
cat >/data/sentinel.conf <<CONF
port 26379
dir /data
protected-mode no
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${SENTINEL_NAME:?this sentinel's host name}
sentinel monitor ${SENTINEL_MASTER:?the primary's name} ${primary%:*} ${primary##*:} ${SENTINEL_QUORUM:-2}
sentinel down-after-milliseconds ${SENTINEL_MASTER} ${SENTINEL_DOWN_AFTER_MS:-2000}
sentinel failover-timeout ${SENTINEL_MASTER} ${SENTINEL_FAILOVER_TIMEOUT_MS:-10000}
sentinel parallel-syncs ${SENTINEL_MASTER} 1
CONF
chown -R redis:redis /data
exec setpriv --reuid=redis --regid=redis --init-groups redis-sentinel /data/sentinel.conf
