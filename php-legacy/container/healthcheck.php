<?php

declare(strict_types=1);

/**
 * Container health check: Apache answers on the public port, and PHP (php-fpm behind Apache) answers on
 * the internal listener. An internal endpoint asked without the bearer credential must refuse with the
 * portal's own JSON 401, which proves the whole chain ran without touching the store or a session.
 * With ASISTENCIA_REDIRECT_HTTPS=on (production) the public HTTP port must instead send the stylesheet's
 * URL to the public HTTPS origin: a 301 to exactly ASISTENCIA_PUBLIC_HTTPS_ORIGIN/style.css.
 * Exit 0 when healthy, 1 otherwise (with the reason on stderr).
 */

function probe(string $url): array
{
    $context = stream_context_create(['http' => ['timeout' => 4, 'ignore_errors' => true, 'follow_location' => 0]]);
    $body = @file_get_contents($url, false, $context);
    $headers = $http_response_header ?? [];
    $status = preg_match('#^HTTP/\S+ (\d{3})#', $headers[0] ?? '', $m) ? (int) $m[1] : 0;
    $json = (bool) preg_grep('#^content-type:\s*application/json#i', $headers);
    $location = '';
    foreach ($headers as $header) {
        if (preg_match('#^location:\s*(\S+)#i', $header, $m)) {
            $location = $m[1];
        }
    }
    return [$status, $json, $body === false ? '' : $body, $location];
}

$redirect = getenv('ASISTENCIA_REDIRECT_HTTPS') === 'on';
// The container's fixed ports; tests point the same check at a door on free ports.
$httpPort = (int) (getenv('HEALTHCHECK_HTTP_PORT') ?: 8080);
$internalPort = (int) (getenv('HEALTHCHECK_INTERNAL_PORT') ?: 8081);
[$status, , , $location] = probe("http://127.0.0.1:{$httpPort}/style.css");
if ($redirect) {
    $expected = rtrim((string) getenv('ASISTENCIA_PUBLIC_HTTPS_ORIGIN'), '/') . '/style.css';
    if ($status !== 301 || $location !== $expected) {
        fwrite(STDERR, "unhealthy: Apache's public HTTP port answered $status"
            . ($location !== '' ? " to $location" : '') . " for /style.css, not a 301 to $expected\n");
        exit(1);
    }
} elseif ($status !== 200) {
    fwrite(STDERR, "unhealthy: Apache's public port answered $status for /style.css\n");
    exit(1);
}
[$status, $json, $body] = probe("http://127.0.0.1:{$internalPort}/internal/courses.php?teacher=healthcheck");
if ($status !== 401 || !$json || !str_contains($body, 'INTERNAL_CREDENTIAL_REQUIRED')) {
    fwrite(STDERR, "unhealthy: the portal answered $status on the internal listener"
        . ($status === 503 ? ' (is INTERNAL_API_TOKEN set, and at least 32 bytes long?)' : '') . "\n");
    exit(1);
}
exit(0);
