#!/bin/sh
# The Debian packages the tests drive for real: Apache (event MPM) with PHP through php-fpm, the PHP
# command line with SQLite, Chromium, OpenSSL (test certificates), LibreOffice Calc without a display
# (exports are opened the way a teacher's LibreOffice opens them), aiosmtpd (a local SMTP server that
# receives the warnings by e-mail), and for the containers lane podman
# (with runc, netavark and aardvark-dns: containers find each other by name; catatonit: the pause binary
# `podman kube play` builds its pods' infra image from), debootstrap (local base images) and docker-compose
# v1 (the compose tool, over podman's API).
# redis-sentinel: the Valkey failover test runs three sentinels of its own (test/faults/valkey-failover.test.ts).
# patroni, etcd-server, haproxy, postgresql-15: the PostgreSQL failover test runs two PostgreSQL 15 servers
# under Patroni with one etcd member and HAProxy in front, all of its own (test/faults/postgres-failover.test.ts).
# `npm test` runs this first and stops at once, printing the one install line, when any is missing;
# .ci/run installs what `--missing` names. The README shows the same line (a test keeps them equal).
#
#   check-packages.sh            exit 0 when all are there; otherwise exit 1 with the install line
#   check-packages.sh --missing  print the missing packages, one per line (always exit 0)
#   check-packages.sh --line     print the install line
#
# Each check is a file the tests use at a fixed Debian path. PACKAGES_ROOT (default: /) lets a test
# point the checks at another tree.
set -eu

ROOT=${PACKAGES_ROOT:-}
ROOT=${ROOT%/}

# package|file that proves it is installed (a glob is allowed)
CHECKS='apache2|/usr/sbin/apache2
apache2|/usr/lib/apache2/modules/mod_mpm_event.so
php8.2-fpm|/usr/sbin/php-fpm8.2
php-cli|/usr/bin/php
php-sqlite3|/usr/lib/php/*/pdo_sqlite.so
chromium|/usr/bin/chromium
openssl|/usr/bin/openssl
docker-compose|/usr/bin/docker-compose
libreoffice-calc-nogui|/usr/bin/soffice
podman|/usr/bin/podman
runc|/usr/sbin/runc
netavark|/usr/lib/podman/netavark
aardvark-dns|/usr/lib/podman/aardvark-dns
catatonit|/usr/bin/catatonit
iptables|/usr/sbin/iptables
debootstrap|/usr/sbin/debootstrap
python3-aiosmtpd|/usr/lib/python3/dist-packages/aiosmtpd/__main__.py
redis-sentinel|/usr/bin/redis-sentinel
patroni|/usr/bin/patroni
etcd-server|/usr/bin/etcd
haproxy|/usr/sbin/haproxy
postgresql-15|/usr/lib/postgresql/15/bin/postgres'

packages() {
  printf '%s\n' "$CHECKS" | cut -d'|' -f1 | awk '!seen[$0]++' | tr '\n' ' ' | sed 's/ $//'
}

line() {
  printf 'apt-get install -y --no-install-recommends %s\n' "$(packages)"
}

missing() {
  printf '%s\n' "$CHECKS" | while IFS='|' read -r package file; do
    # Unquoted on purpose: the glob expands; a pattern matching nothing stays as written and fails -e.
    # shellcheck disable=SC2086
    set -- $ROOT$file
    [ -e "$1" ] || echo "$package"
  done | awk '!seen[$0]++'
}

case "${1:-}" in
  --missing) missing ;;
  --line) line ;;
  '')
    absent=$(missing | tr '\n' ' ' | sed 's/ $//')
    [ -z "$absent" ] && exit 0
    {
      echo "The tests drive real Debian packages, and these are missing: $absent"
      echo "Install them (as root) with:"
      echo
      echo "  $(line)"
      echo
    } >&2
    exit 1
    ;;
  *)
    echo "usage: check-packages.sh [--missing|--line]" >&2
    exit 2
    ;;
esac
