<?php

declare(strict_types=1);

/**
 * Password login with the throttle in front of it (throttle.php): every attempt is counted as a failure
 * before its password is checked, and given back when the password is right.
 */

// A hash of a random password: verifying against it for unknown usernames keeps the timing the same.
const DUMMY_PASSWORD_HASH = '$2y$10$0bXgOLgg7YxbEmJTPNVm8uI7fCf4RSws9IYLihcagsb1FaQSz1JLm';

/**
 * @return array{user?: array{id: string, username: string, name: string, role: string}, error?: string, wait?: int}
 */
function attempt_login(string $username, string $password, string $address): array
{
    $username = strtolower(trim($username));
    if ($username === '' || $password === '' || strlen($username) > 64 || strlen($password) > 1024) {
        return ['error' => 'missing'];
    }
    $wait = reserve_login_attempt($username, $address, time());
    if ($wait > 0) {
        return ['error' => 'throttled', 'wait' => $wait];
    }
    $row = find_user_by_username($username);
    $matches = password_verify($password, $row['password_hash'] ?? DUMMY_PASSWORD_HASH);
    if ($matches && is_refused_demo_password($password)) {
        error_log("asistencia-portal: refused the demo password for '$username' (PORTAL_SEED=none); "
            . 'give the account a real password with bin/portal.php set-password');
        $matches = false;
    }
    if ($row === null || !$matches) {
        return ['error' => 'credentials']; // counted already, by reserve_login_attempt()
    }
    release_login_attempt($username, $address);
    unset($row['password_hash']);
    return ['user' => $row];
}

/** @return array{id: string, username: string, name: string, role: string, password_hash: string}|null */
function find_user_by_username(string $username): ?array
{
    $query = db()->prepare('SELECT id, username, name, role, password_hash FROM users WHERE username = ?');
    $query->execute([$username]);
    $row = $query->fetch();
    return $row === false ? null : $row;
}
