<?php

declare(strict_types=1);

/**
 * The only reader of the environment. Values come from the process environment (or Apache SetEnv).
 * Secrets are read lazily, so a missing secret only breaks the feature that needs it.
 */

const PORTAL_SECRET_MIN_BYTES = 32;

/** PORTAL_SEED: what a new store starts with. */
const PORTAL_SEEDS = ['demo', 'none'];

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
            'seed' => portal_seed_setting(),
            'session_dir' => env_string('PORTAL_SESSION_DIR'),
            'session_idle_seconds' => env_int('PORTAL_SESSION_IDLE_SECONDS', 1800),
            'jwt_issuer' => env_string('JWT_ISSUER') ?? 'asistencia-portal',
            'jwt_audience' => env_string('JWT_AUDIENCE') ?? 'asistencia',
            'jwt_ttl_seconds' => env_int('JWT_TTL_SECONDS', 300),
            'login_max_failures' => env_int('LOGIN_MAX_FAILURES', 5),
            'login_max_user_failures' => env_int('LOGIN_MAX_USER_FAILURES', 50),
            'login_max_address_failures' => env_int('LOGIN_MAX_ADDRESS_FAILURES', 100),
            'login_window_seconds' => env_int('LOGIN_WINDOW_SECONDS', 900),
            'login_lockout_seconds' => env_int('LOGIN_LOCKOUT_SECONDS', 300),
            'node_internal_url' => rtrim(env_string('NODE_INTERNAL_URL') ?? 'http://127.0.0.1:3000', '/'),
            // The institution's zone, as node-service's TIME_ZONE: the times the home page shows.
            'time_zone' => env_string('TIME_ZONE') ?? 'America/Santiago',
        ];
    }
    return $config;
}

/** PORTAL_SEED: "demo" (default: seed.json's demo users and courses) or "none" (an empty store). */
function portal_seed_setting(): string
{
    $seed = env_string('PORTAL_SEED') ?? 'demo';
    if (!in_array($seed, PORTAL_SEEDS, true)) {
        throw new PortalError('PORTAL_MISCONFIGURED', 'PORTAL_SEED must be "demo" or "none" (got "' . $seed . '")');
    }
    return $seed;
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
        error_log("asistencia-portal: $name is not usable: cannot read {$name}_FILE ($file); is the secret mounted "
            . 'and readable by this user?');
        return null;
    }
    $secret = rtrim($content, "\r\n");
    if ($secret === '') {
        error_log("asistencia-portal: $name is not usable: {$name}_FILE ($file) is empty");
        return null;
    }
    return $secret;
}

/**
 * The shared secret NAME when it is set and long enough; otherwise null, after logging exactly what is
 * wrong (never the value): not set, or how many bytes it has against the minimum and how to make one.
 */
function shared_secret(string $name): ?string
{
    $secret = secret_from_env($name);
    $min = PORTAL_SECRET_MIN_BYTES;
    if ($secret === null) {
        if (env_string("{$name}_FILE") !== null && env_string($name) === null) {
            return null; // secret_from_env said what is wrong with the file (unreadable or empty)
        }
        error_log("asistencia-portal: $name is not set: set $name or {$name}_FILE to at least $min bytes, "
            . 'the same value node-service uses');
        return null;
    }
    if (strlen($secret) < $min) {
        $source = env_string($name) !== null ? $name : "{$name}_FILE " . env_string("{$name}_FILE");
        error_log("asistencia-portal: $name is too short: " . strlen($secret) . " bytes (from $source), at least $min "
            . 'are needed, and node-service must use the same value; make one with `openssl rand -hex 32`');
        return null;
    }
    return $secret;
}

function jwt_secret(): string
{
    $secret = shared_secret('JWT_SECRET');
    if ($secret === null) {
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
    return shared_secret('INTERNAL_API_TOKEN');
}
