<?php

declare(strict_types=1);

/**
 * Tells the Node service that the JWTs issued in a session that just ended are revoked: one POST per jti
 * to {NODE_INTERNAL_URL}/asistencia/internal/revocations. Best effort within a small time budget:
 * failures are logged and never block the logout.
 */

const REVOCATION_BUDGET_SECONDS = 3.0;
const REVOCATION_CALL_TIMEOUT_SECONDS = 1.5;

/** @param array<string, int> $jtis jti => exp */
function revoke_issued_tokens(array $jtis): void
{
    if ($jtis === []) {
        return;
    }
    $credential = internal_api_token();
    if ($credential === null) {
        error_log('asistencia-portal: cannot revoke ' . count($jtis) . ' token(s): INTERNAL_API_TOKEN is not configured');
        return;
    }
    $url = portal_config()['node_internal_url'] . '/asistencia/internal/revocations';
    $deadline = microtime(true) + REVOCATION_BUDGET_SECONDS;
    $previousTimeout = ini_set('default_socket_timeout', '2');
    foreach ($jtis as $jti => $exp) {
        $remaining = $deadline - microtime(true);
        if ($remaining <= 0) {
            error_log("asistencia-portal: revocation budget spent; jti $jti was not revoked");
            continue;
        }
        $status = post_revocation($url, $credential, (string) $jti, $exp, min($remaining, REVOCATION_CALL_TIMEOUT_SECONDS));
        if ($status < 200 || $status > 299) {
            error_log("asistencia-portal: revocation of jti $jti failed (HTTP status $status) at $url");
        }
    }
    if ($previousTimeout !== false) {
        ini_set('default_socket_timeout', $previousTimeout);
    }
}

/** @return int the HTTP status, 0 when no answer came */
function post_revocation(string $url, string $credential, string $jti, int $exp, float $timeout): int
{
    $body = json_encode(['jti' => $jti, 'exp' => $exp], JSON_THROW_ON_ERROR);
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => "Authorization: Bearer $credential\r\nContent-Type: application/json\r\nConnection: close\r\n",
        'content' => $body,
        'timeout' => $timeout,
        'ignore_errors' => true,
        'follow_location' => 0,
    ]]);
    $answer = @file_get_contents($url, false, $context);
    $statusLine = $http_response_header[0] ?? '';
    if ($answer === false && $statusLine === '') {
        return 0;
    }
    return preg_match('#^HTTP/\S+\s+(\d{3})#', $statusLine, $m) ? (int) $m[1] : 0;
}
