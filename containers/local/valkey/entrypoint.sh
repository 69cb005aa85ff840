#!/bin/sh
# What the official Valkey image's entrypoint does that this product relies on: the server runs as an
# unprivileged user owning /data, and without a configuration file it listens on the container's network
# with protected mode off (the network is private; compose publishes it only on 127.0.0.1 in development).
set -e
if [ "$1" = valkey-server ]; then
  shift
  case " $* " in *" --protected-mode "*) ;; *) set -- --protected-mode no "$@" ;; esac
  set -- valkey-server "$@"
  if [ "$(id -u)" = 0 ]; then
    find /data \! -user redis -exec chown redis:redis '{}' + 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
