<?php

declare(strict_types=1);

/**
 * Login throttle, kept in SQLite so it holds across Apache and php-fpm processes. Failures are counted
 * under three keys, each in a window of LOGIN_WINDOW_SECONDS that starts at its first failure:
 *
 *   user_address  one username from one client address: LOGIN_MAX_FAILURES (5). This is the lock a
 *                 forgetful user or a guesser meets, and a stranger elsewhere cannot set it off.
 *   user          one username from anywhere: LOGIN_MAX_USER_FAILURES (50), a much higher ceiling
 *                 against guessing spread over many addresses.
 *   address       one client address, any username: LOGIN_MAX_ADDRESS_FAILURES (100), against spraying
 *                 many usernames; high, since a campus NAT is one address for a whole lecture hall.
 *
 * A key at its limit refuses attempts for LOGIN_LOCKOUT_SECONDS after its latest failure. An attempt is
 * counted as a failure before its password is checked, in one write transaction (increment, then decide):
 * 30 parallel wrong passwords never get more than the limit checked. When the password turns out right
 * the count is given back. Attempts refused by the throttle are not counted.
 */

const THROTTLE_SELECT = 'SELECT failures, window_started_at, last_failed_at FROM login_throttle
    WHERE scope = ? AND username = ? AND address = ?';
const THROTTLE_COUNT = 'INSERT INTO login_throttle (scope, username, address, failures, window_started_at, last_failed_at)
    VALUES (?, ?, ?, 1, ?, ?)
    ON CONFLICT (scope, username, address) DO UPDATE SET
        failures = CASE WHEN window_started_at <= excluded.window_started_at - ? THEN 1 ELSE failures + 1 END,
        window_started_at = CASE WHEN window_started_at <= excluded.window_started_at - ?
            THEN excluded.window_started_at ELSE window_started_at END,
        last_failed_at = excluded.last_failed_at';
const THROTTLE_GIVE_BACK = 'UPDATE login_throttle SET failures = failures - 1
    WHERE scope = ? AND username = ? AND address = ? AND failures > 0';
const THROTTLE_FORGET = 'DELETE FROM login_throttle WHERE scope = ? AND username = ? AND address = ?';
const THROTTLE_EXPIRE = 'DELETE FROM login_throttle WHERE window_started_at <= ? AND last_failed_at <= ?';

/**
 * The keys an attempt is counted under, each with its limit.
 * @return list<array{0: string, 1: string, 2: string, 3: int}> scope, username, address, limit
 */
function throttle_keys(string $username, string $address): array
{
    $config = portal_config();
    return [
        ['user_address', $username, $address, $config['login_max_failures']],
        ['user', $username, '', $config['login_max_user_failures']],
        ['address', '', $address, $config['login_max_address_failures']],
    ];
}

/**
 * Counts an attempt as a failure before its password is checked, unless a key is locked.
 * @return int seconds to wait (nothing counted), or 0 when the attempt may go ahead (counted)
 */
function reserve_login_attempt(string $username, string $address, int $now): int
{
    $config = portal_config();
    $window = $config['login_window_seconds'];
    $pdo = db();
    $pdo->exec('BEGIN IMMEDIATE'); // the write lock: every process decides in turn
    try {
        $wait = 0;
        $select = $pdo->prepare(THROTTLE_SELECT);
        foreach (throttle_keys($username, $address) as [$scope, $user, $addr, $limit]) {
            $select->execute([$scope, $user, $addr]);
            $row = $select->fetch();
            $select->closeCursor();
            // At its limit, a key waits out the lockout even if its window ended meanwhile.
            if ($row !== false && (int) $row['failures'] >= $limit) {
                $wait = max($wait, (int) $row['last_failed_at'] + $config['login_lockout_seconds'] - $now);
            }
        }
        if ($wait <= 0) {
            $count = $pdo->prepare(THROTTLE_COUNT);
            foreach (throttle_keys($username, $address) as [$scope, $user, $addr]) {
                $count->execute([$scope, $user, $addr, $now, $now, $window, $window]);
            }
            $keep = max($window, $config['login_lockout_seconds']);
            $pdo->prepare(THROTTLE_EXPIRE)->execute([$now - $keep, $now - $keep]);
        }
        $pdo->exec('COMMIT');
    } catch (Throwable $e) {
        $pdo->exec('ROLLBACK');
        throw $e;
    }
    return max(0, $wait);
}

/**
 * The password was right: the attempt was no failure. This username at this address starts afresh; the
 * username's and the address's wider counts only get this attempt back (others' failures stay).
 */
function release_login_attempt(string $username, string $address): void
{
    $pdo = db();
    $pdo->prepare(THROTTLE_FORGET)->execute(['user_address', $username, $address]);
    $giveBack = $pdo->prepare(THROTTLE_GIVE_BACK);
    $giveBack->execute(['user', $username, '']);
    $giveBack->execute(['address', '', $address]);
}

/** Every failure counted for a username, from any address (bin/portal.php set-password). */
function clear_login_failures(string $username): void
{
    db()->prepare("DELETE FROM login_throttle WHERE scope IN ('user', 'user_address') AND username = ?")->execute([$username]);
}

function throttle_message(int $waitSeconds): string
{
    $minutes = max(1, (int) ceil($waitSeconds / 60));
    return $minutes === 1 ? t('login.error.throttled_one') : t('login.error.throttled_many', ['minutes' => $minutes]);
}
