<?php

declare(strict_types=1);

/**
 * Login throttle, kept in SQLite so it holds across Apache processes. A username or a client address
 * with LOGIN_MAX_FAILURES failures inside LOGIN_WINDOW_SECONDS is refused for LOGIN_LOCKOUT_SECONDS
 * after its latest failure. Attempts refused by the throttle are not counted.
 */

/** @return int seconds to wait, 0 when the attempt may go ahead */
function login_wait_seconds(string $username, string $address, int $now): int
{
    $config = portal_config();
    return max(
        scope_wait_seconds('user', $username, $config['login_max_failures'], $now),
        scope_wait_seconds('address', $address, $config['login_max_address_failures'], $now),
    );
}

function scope_wait_seconds(string $scope, string $subject, int $maxFailures, int $now): int
{
    $config = portal_config();
    $query = db()->prepare(
        'SELECT COUNT(*) AS failures, MAX(failed_at) AS latest FROM login_failures
         WHERE scope = ? AND subject = ? AND failed_at > ?'
    );
    $query->execute([$scope, $subject, $now - $config['login_window_seconds']]);
    $row = $query->fetch();
    if ((int) $row['failures'] < $maxFailures) {
        return 0;
    }
    return max(0, (int) $row['latest'] + $config['login_lockout_seconds'] - $now);
}

function record_login_failure(string $username, string $address, int $now): void
{
    $config = portal_config();
    $pdo = db();
    $insert = $pdo->prepare('INSERT INTO login_failures (scope, subject, failed_at) VALUES (?, ?, ?)');
    $insert->execute(['user', $username, $now]);
    $insert->execute(['address', $address, $now]);
    $keep = max($config['login_window_seconds'], $config['login_lockout_seconds']);
    $pdo->prepare('DELETE FROM login_failures WHERE failed_at <= ?')->execute([$now - $keep]);
}

function clear_login_failures(string $username): void
{
    db()->prepare("DELETE FROM login_failures WHERE scope = 'user' AND subject = ?")->execute([$username]);
}

function throttle_message(int $waitSeconds): string
{
    $minutes = max(1, (int) ceil($waitSeconds / 60));
    return $minutes === 1 ? t('login.error.throttled_one') : t('login.error.throttled_many', ['minutes' => $minutes]);
}
