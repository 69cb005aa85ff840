<?php

declare(strict_types=1);

/**
 * The portal session: PHP's native session with a hardened cookie (HttpOnly, SameSite=Lax, Secure on
 * HTTPS), strict mode, an idle timeout, and the list of JWT ids issued in it (for revocation at logout).
 */

const PORTAL_SESSION_COOKIE = 'PORTALSESSID';

function session_cookie_params(): array
{
    return ['lifetime' => 0, 'path' => '/', 'secure' => is_https(), 'httponly' => true, 'samesite' => 'Lax'];
}

function start_portal_session(): void
{
    if (session_status() === PHP_SESSION_ACTIVE) {
        return;
    }
    $config = portal_config();
    if ($config['session_dir'] !== null) {
        session_save_path($config['session_dir']);
    }
    ini_set('session.use_strict_mode', '1');
    ini_set('session.use_only_cookies', '1');
    ini_set('session.use_trans_sid', '0');
    ini_set('session.gc_maxlifetime', (string) $config['session_idle_seconds']);
    session_name(PORTAL_SESSION_COOKIE);
    session_set_cookie_params(session_cookie_params());
    session_start();
    expire_idle_session($config['session_idle_seconds']);
}

function expire_idle_session(int $idleSeconds): void
{
    $now = time();
    if (isset($_SESSION['user']) && $now - (int) ($_SESSION['last_seen'] ?? 0) > $idleSeconds) {
        $_SESSION = [];
        session_regenerate_id(true);
    }
    $_SESSION['last_seen'] = $now;
}

/** Starts the session only when the browser already has one: anonymous API calls create nothing. */
function resume_portal_session(): bool
{
    if (input_string($_COOKIE, PORTAL_SESSION_COOKIE) === null) {
        return false;
    }
    start_portal_session();
    return true;
}

/** @return array{id: string, username: string, name: string, role: string}|null */
function current_user(): ?array
{
    $user = $_SESSION['user'] ?? null;
    return is_array($user) ? $user : null;
}

/** @param array{id: string, username: string, name: string, role: string} $user */
function sign_in(array $user): void
{
    session_regenerate_id(true);
    $_SESSION = ['user' => $user, 'last_seen' => time(), 'issued_jtis' => []];
    rotate_csrf_token();
}

function remember_issued_jti(string $jti, int $exp): void
{
    $now = time();
    $issued = array_filter($_SESSION['issued_jtis'] ?? [], fn (int $e): bool => $e > $now);
    $issued[$jti] = $exp;
    $_SESSION['issued_jtis'] = $issued;
}

/**
 * Ends the session and returns the JWT ids issued in it that have not expired yet.
 *
 * @return array<string, int> jti => exp
 */
function sign_out(): array
{
    $now = time();
    $live = array_filter($_SESSION['issued_jtis'] ?? [], fn (int $e): bool => $e > $now);
    $_SESSION = [];
    $params = session_cookie_params();
    setcookie(session_name(), '', [
        'expires' => 1,
        'path' => $params['path'],
        'secure' => $params['secure'],
        'httponly' => true,
        'samesite' => 'Lax',
    ]);
    session_destroy();
    return $live;
}
