<?php

declare(strict_types=1);

/** Small response helpers. Every send_* function ends the request. */

function e(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

function is_https(): bool
{
    $https = $_SERVER['HTTPS'] ?? '';
    return $https !== '' && strtolower((string) $https) !== 'off';
}

function request_method(): string
{
    return strtoupper((string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'));
}

/** A single string query or form value; arrays and absent values give null. */
function input_string(array $source, string $name): ?string
{
    $value = $source[$name] ?? null;
    return is_string($value) ? $value : null;
}

/** @param array<string, mixed> $body */
function send_json(int $status, array $body): never
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    header('Cache-Control: no-store');
    echo json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
    exit;
}

/** @param array<string, mixed> $extra */
function send_json_error(int $status, string $code, string $message, array $extra = []): never
{
    send_json($status, ['error' => ['code' => $code, 'message' => $message] + $extra]);
}

function send_html(int $status, string $html): never
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    header('Cache-Control: no-store');
    echo $html;
    exit;
}

function send_redirect(string $location): never
{
    http_response_code(303);
    header('Location: ' . $location);
    exit;
}

/** Only same-site paths may be redirect targets: no scheme, no host, no "//" or "/\" tricks. */
function safe_next(?string $next, string $fallback = '/'): string
{
    if ($next === null || strlen($next) > 512 || !str_starts_with($next, '/')) {
        return $fallback;
    }
    if (str_starts_with($next, '//') || str_starts_with($next, '/\\') || preg_match('/[\x00-\x1f\x7f]/', $next)) {
        return $fallback;
    }
    return $next;
}

function login_url(string $next): string
{
    return '/login.php?next=' . rawurlencode($next);
}

function request_header(string $name): ?string
{
    $key = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
    $value = $_SERVER[$key] ?? null;
    return is_string($value) ? $value : null;
}

/** The Authorization header: mod_php hides it from $_SERVER unless CGIPassAuth is on, so ask Apache too. */
function authorization_header(): ?string
{
    foreach (['HTTP_AUTHORIZATION', 'REDIRECT_HTTP_AUTHORIZATION'] as $key) {
        if (isset($_SERVER[$key]) && is_string($_SERVER[$key])) {
            return $_SERVER[$key];
        }
    }
    if (function_exists('getallheaders')) {
        foreach (getallheaders() as $name => $value) {
            if (strcasecmp((string) $name, 'Authorization') === 0) {
                return (string) $value;
            }
        }
    }
    return null;
}
