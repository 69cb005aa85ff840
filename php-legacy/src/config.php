<?php

declare(strict_types=1);

/**
 * The only reader of the environment. Values come from the process environment (or Apache SetEnv).
 * Secrets are read lazily, so a missing secret only breaks the feature that needs it.
 */

const PORTAL_SECRET_MIN_BYTES = 32;

function env_string(string $name): ?string
{
    $value = getenv($name);
    return ($value === false || $value === '') ? null : $value;
}

function env_int(string $name, int $default): int
{
    $raw = env_string($name);
    if ($raw === null) {
        return $default;
    }
    if (!preg_match('/^[0-9]{1,9}$/', $raw)) {
        throw new PortalError('PORTAL_MISCONFIGURED', "$name must be a whole number of seconds or a count");
    }
    return (int) $raw;
}

/** @return array<string, mixed> */
function portal_config(): array
{
    static $config = null;
    if ($config === null) {
        $config = [
            'db_path' => env_string('PORTAL_DB_PATH') ?? dirname(__DIR__) . '/data/portal.sqlite',
            'session_dir' => env_string('PORTAL_SESSION_DIR'),
            'session_idle_seconds' => env_int('PORTAL_SESSION_IDLE_SECONDS', 1800),
            'jwt_issuer' => env_string('JWT_ISSUER') ?? 'asistencia-portal',
            'jwt_audience' => env_string('JWT_AUDIENCE') ?? 'asistencia',
            'jwt_ttl_seconds' => env_int('JWT_TTL_SECONDS', 300),
            'login_max_failures' => env_int('LOGIN_MAX_FAILURES', 5),
            'login_max_address_failures' => env_int(
                'LOGIN_MAX_ADDRESS_FAILURES',
                env_int('LOGIN_MAX_FAILURES', 5),
            ),
            'login_window_seconds' => env_int('LOGIN_WINDOW_SECONDS', 900),
            'login_lockout_seconds' => env_int('LOGIN_LOCKOUT_SECONDS', 300),
            'node_internal_url' => rtrim(env_string('NODE_INTERNAL_URL') ?? 'http://127.0.0.1:3000', '/'),
        ];
    }
    return $config;
}

/**
 * A secret given inline (NAME) or as a file (NAME_FILE, trailing newline trimmed); null when neither is set.
 */
function secret_from_env(string $name): ?string
{
    $inline = env_string($name);
    if ($inline !== null) {
        return $inline;
    }
    $file = env_string($name . '_FILE');
    if ($file === null) {
        return null;
    }
    $content = @file_get_contents($file);
    if ($content === false) {
        error_log("asistencia-portal: cannot read {$name}_FILE ($file)");
        return null;
    }
    $secret = rtrim($content, "\r\n");
    return $secret === '' ? null : $secret;
}

function jwt_secret(): string
{
    $secret = secret_from_env('JWT_SECRET');
    if ($secret === null || strlen($secret) < PORTAL_SECRET_MIN_BYTES) {
        error_log('asistencia-portal: JWT_SECRET (or JWT_SECRET_FILE) is missing or shorter than '
            . PORTAL_SECRET_MIN_BYTES . ' bytes; refusing to issue tokens');
        throw new PortalError(
            'TOKEN_ISSUER_MISCONFIGURED',
            'The portal cannot issue tokens: its signing secret is missing or too short.',
        );
    }
    return $secret;
}

/** The credential shared with the Node service, or null (logged) when not configured or too short. */
function internal_api_token(): ?string
{
    $token = secret_from_env('INTERNAL_API_TOKEN');
    if ($token === null || strlen($token) < PORTAL_SECRET_MIN_BYTES) {
        error_log('asistencia-portal: INTERNAL_API_TOKEN (or INTERNAL_API_TOKEN_FILE) is missing or shorter than '
            . PORTAL_SECRET_MIN_BYTES . ' bytes');
        return null;
    }
    return $token;
}
