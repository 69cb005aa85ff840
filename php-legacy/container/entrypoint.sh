#!/usr/bin/env bash
# Entrypoint of the asistencia-php container: writes Apache's environment-dependent Defines, makes a
# self-signed certificate when none is mounted (development), then runs php-fpm and Apache in the
# foreground. When either stops, or the container is asked to stop, both are stopped and the container
# exits with the first one's status.
#
# Environment:
#   ASISTENCIA_NODE              node-service as host:port (required), e.g. asistencia-node:3000
#   ASISTENCIA_NODE_2/_3         more node-service instances (optional)
#   ASISTENCIA_SERVER_NAME       Apache's ServerName and the self-signed certificate's name (localhost)
#   ASISTENCIA_LOG_LEVEL         Apache LogLevel (warn)
#   TLS_CERT, TLS_KEY            PEM certificate (chain) and key; default /run/secrets/tls_certificate
#                                and /run/secrets/tls_private_key
#   ASISTENCIA_TLS_SELF_SIGNED   "allow" (default): without TLS_CERT/TLS_KEY files, make and keep a
#                                self-signed pair under /var/lib/asistencia/tls; "never": refuse to start
#   ASISTENCIA_REDIRECT_HTTPS    "on": plain HTTP answers 301 to ASISTENCIA_PUBLIC_HTTPS_ORIGIN (same path
#                                and query), health checks excepted; "off" (default): HTTP serves everything
#   ASISTENCIA_PUBLIC_HTTPS_ORIGIN
#                                the public HTTPS origin (https://host[:port], the port clients use, not
#                                8443); required when the redirect is on
#   BODY_LIMIT_BYTES             the largest request body (65536): node-service's own setting, given to
#                                both containers, so Apache refuses (413) what node-service would
#   JUSTIFICATION_MAX_BYTES      the largest document of a request to justify an absence (2097152):
#                                node-service's own setting; that route's body limit follows from it
set -Eeuo pipefail

RUNTIME_DIR=/tmp/asistencia
STATE_DIR=/var/lib/asistencia

fail() {
  echo "asistencia-php: $*" >&2
  exit 64
}

# A host:port (name, IPv4 or [IPv6]) and nothing else: the value lands in Apache's configuration.
check_upstream() {
  local name=$1 value=${!1:-}
  [[ $value =~ ^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$ ]] || fail "$name must be host:port (got \"$value\")"
}

write_defines() {
  local server_name=${ASISTENCIA_SERVER_NAME:-localhost} log_level=${ASISTENCIA_LOG_LEVEL:-warn} name
  [[ $server_name =~ ^[A-Za-z0-9.-]+$ ]] || fail "ASISTENCIA_SERVER_NAME must be a host name (got \"$server_name\")"
  [[ $log_level =~ ^(emerg|alert|crit|error|warn|notice|info|debug)$ ]] || fail "ASISTENCIA_LOG_LEVEL must be an Apache log level"
  check_upstream ASISTENCIA_NODE
  {
    echo "# Written by the entrypoint from the container's environment."
    echo "Define ASISTENCIA_SERVER_NAME $server_name"
    echo "Define ASISTENCIA_LOG_LEVEL $log_level"
    for name in ASISTENCIA_NODE ASISTENCIA_NODE_2 ASISTENCIA_NODE_3; do
      if [ -n "${!name:-}" ]; then
        check_upstream "$name"
        echo "Define $name ${!name}"
      fi
    done
    echo "Define ASISTENCIA_BODY_LIMIT_BYTES $(body_limit)"
    echo "Define ASISTENCIA_JUSTIFICATION_BODY_LIMIT_BYTES $(justification_body_limit)"
    echo "Define TLS_CERT \"$TLS_CERT\""
    echo "Define TLS_KEY \"$TLS_KEY\""
    https_redirect_defines
  } >"$RUNTIME_DIR/httpd-defines.conf"
}

# node-service's BODY_LIMIT_BYTES, within the same bounds it accepts (1 KiB to 10 MiB).
body_limit() {
  local limit=${BODY_LIMIT_BYTES:-65536}
  [[ $limit =~ ^[0-9]{4,8}$ ]] && ((10#$limit >= 1024 && 10#$limit <= 10485760)) ||
    fail "BODY_LIMIT_BYTES must be a whole number of bytes from 1024 to 10485760 (got \"$limit\")"
  echo $((10#$limit))
}

# The body limit of a request to justify an absence, as node-service computes it from
# JUSTIFICATION_MAX_BYTES (1 KiB to 20 MiB): the document in base64 and 64 KiB for the rest.
justification_body_limit() {
  local max=${JUSTIFICATION_MAX_BYTES:-2097152}
  [[ $max =~ ^[0-9]{4,8}$ ]] && ((10#$max >= 1024 && 10#$max <= 20971520)) ||
    fail "JUSTIFICATION_MAX_BYTES must be a whole number of bytes from 1024 to 20971520 (got \"$max\")"
  echo $(((10#$max + 2) / 3 * 4 + 65536))
}

# The redirect's Defines; the origin lands in Apache's configuration, so only scheme, host and port pass.
https_redirect_defines() {
  case "${ASISTENCIA_REDIRECT_HTTPS:-off}" in
    on)
      local origin=${ASISTENCIA_PUBLIC_HTTPS_ORIGIN:-}
      origin=${origin%/}
      [[ $origin =~ ^https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$ ]] ||
        fail "ASISTENCIA_REDIRECT_HTTPS=on needs ASISTENCIA_PUBLIC_HTTPS_ORIGIN as https://host[:port] (got \"${ASISTENCIA_PUBLIC_HTTPS_ORIGIN:-}\")"
      echo "Define ASISTENCIA_REDIRECT_HTTPS"
      echo "Define ASISTENCIA_PUBLIC_HTTPS_ORIGIN $origin"
      ;;
    off) ;;
    *) fail "ASISTENCIA_REDIRECT_HTTPS must be on or off (got \"$ASISTENCIA_REDIRECT_HTTPS\")" ;;
  esac
}

# Sets TLS_CERT/TLS_KEY to readable files, making a self-signed pair on first start when allowed.
choose_certificate() {
  TLS_CERT=${TLS_CERT:-/run/secrets/tls_certificate}
  TLS_KEY=${TLS_KEY:-/run/secrets/tls_private_key}
  if [ -r "$TLS_CERT" ] && [ -r "$TLS_KEY" ]; then return; fi
  [ "${ASISTENCIA_TLS_SELF_SIGNED:-allow}" = allow ] ||
    fail "no readable TLS certificate and key at $TLS_CERT and $TLS_KEY (ASISTENCIA_TLS_SELF_SIGNED=never)"
  local dir=$STATE_DIR/tls name=${ASISTENCIA_SERVER_NAME:-localhost}
  TLS_CERT=$dir/self-signed.crt
  TLS_KEY=$dir/self-signed.key
  if [ -s "$TLS_CERT" ] && [ -s "$TLS_KEY" ]; then return; fi
  echo "asistencia-php: no TLS certificate mounted: making a self-signed one for $name (development only)" >&2
  mkdir -p "$dir"
  chmod 700 "$dir"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$TLS_KEY" -out "$TLS_CERT" 2>/dev/null) || fail "could not make a self-signed certificate in $dir"
}

# Runtime files (generated Defines, pid files, php-fpm's socket) live under /tmp, the one place that is
# writable whatever the engine mounts on /run (a tmpfs in production, with a read-only root).
prepare_dirs() {
  mkdir -p "$RUNTIME_DIR/httpd" "$STATE_DIR/portal" "$STATE_DIR/sessions"
  chmod 700 "$RUNTIME_DIR" "$STATE_DIR/sessions"
}

main() {
  prepare_dirs
  choose_certificate
  write_defines
  local checked
  checked=$(apache2 -t -f /etc/asistencia/httpd.conf 2>&1) || { echo "$checked" >&2; fail "Apache's configuration does not load"; }

  php-fpm8.2 --nodaemonize --fpm-config /etc/asistencia/php-fpm.conf &
  local fpm=$!
  apache2 -f /etc/asistencia/httpd.conf -DFOREGROUND &
  local httpd=$!

  # shellcheck disable=SC2064 # the pids are known now
  trap "kill -TERM $fpm $httpd 2>/dev/null || true" TERM INT
  local status=0
  wait -n "$fpm" "$httpd" || status=$?
  kill -TERM "$fpm" "$httpd" 2>/dev/null || true
  wait || true
  exit "$status"
}

if [ "$#" -gt 0 ]; then exec "$@"; fi
main
