#!/usr/bin/env php
<?php

declare(strict_types=1);

/**
 * The portal's operator command line: accounts and courses, in the same SQLite store the web pages use
 * (PORTAL_DB_PATH; created on first use as PORTAL_SEED says), passwords hashed with password_hash().
 * Plain PHP, no Composer. Run it as the store's owner (in the container: the default user, "apache").
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 wrong usage.
 */

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    exit(1);
}

require dirname(__DIR__) . '/src/bootstrap.php';

const CLI_EXIT_REFUSED = 1;
const CLI_EXIT_USAGE = 2;
const CLI_PASSWORD_MIN_CHARS = 10;
const CLI_PASSWORD_MAX_BYTES = 1024;
const CLI_ROLES = ['teacher', 'student', 'admin'];
const CLI_USERNAME_PATTERN = '/^[a-z0-9][a-z0-9._-]{0,63}$/';
const CLI_COURSE_ID_PATTERN = '/^[A-Za-z0-9_-]{1,32}$/';
const CLI_NAME_MAX_CHARS = 200;

const CLI_USAGE = <<<'USAGE'
Usage: php php-legacy/bin/portal.php <command> [arguments]

  add-user <username> <teacher|student|admin> "<Full name>"
        Create an account. The password is read from standard input: asked twice without echo on a
        terminal, or the first line when piped. Prints the new user id (the portal JWT's "sub").
  set-password <username>
        Replace an account's password (read the same way).
  set-email <username> <address|->
        Set the address the attendance service's e-mail warnings go to ("-" removes it).
  add-course <course-id> "<Course name>" <teacher-username>
  enrol <course-id> <student-username>...
        Put students on a course's roster ("enroll" works too); students already on it are kept.
  add-staff <course-id> <teacher-username> <co_teacher|assistant|->
        Put a teacher account on a course's staff as co-teacher or assistant (TA), change their role,
        or take them off ("-").
  list-users
  list-courses
  help

Passwords need at least 10 characters. The store is PORTAL_DB_PATH (default php-legacy/data/portal.sqlite);
a new store starts with the demo data when PORTAL_SEED=demo (the default) or empty when PORTAL_SEED=none.
Exit status: 0 done, 1 refused or failed (the reason on standard error), 2 wrong usage.

USAGE;

/** Wrong usage: the message, then the usage text; exit 2. */
final class CliUsageError extends RuntimeException
{
}

/** A refused request (unknown user, weak password, ...): the message only; exit 1. */
final class CliRefusal extends RuntimeException
{
}

exit(cli_main($argv));

/** @param list<string> $argv */
function cli_main(array $argv): int
{
    $command = $argv[1] ?? null;
    $args = array_slice($argv, 2);
    try {
        if ($command === null || in_array($command, ['help', '--help', '-h'], true)) {
            fwrite($command === null ? STDERR : STDOUT, CLI_USAGE);
            return $command === null ? CLI_EXIT_USAGE : 0;
        }
        $handler = match ($command) {
            'add-user' => 'cli_add_user',
            'set-password' => 'cli_set_password',
            'set-email' => 'cli_set_email',
            'add-course' => 'cli_add_course',
            'enrol', 'enroll' => 'cli_enrol',
            'add-staff' => 'cli_add_staff',
            'list-users' => 'cli_list_users',
            'list-courses' => 'cli_list_courses',
            default => throw new CliUsageError("unknown command '$command'"),
        };
        cli_check_store_owner(portal_config()['db_path']);
        $handler($args);
        return 0;
    } catch (CliUsageError $error) {
        fwrite(STDERR, "portal.php: {$error->getMessage()}\n\n" . CLI_USAGE);
        return CLI_EXIT_USAGE;
    } catch (CliRefusal | PortalError $error) {
        fwrite(STDERR, "portal.php: {$error->getMessage()}\n");
        return CLI_EXIT_REFUSED;
    } catch (PDOException $error) {
        fwrite(STDERR, "portal.php: the store failed: {$error->getMessage()}\n"
            . '  (store: ' . portal_config()['db_path'] . '; check PORTAL_DB_PATH and that this user may write there)' . "\n");
        return CLI_EXIT_REFUSED;
    } catch (Throwable $error) {
        fwrite(STDERR, 'portal.php: unexpected ' . get_class($error) . ": {$error->getMessage()}\n");
        return CLI_EXIT_REFUSED;
    }
}

// ---------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------

/** @param list<string> $args */
function cli_add_user(array $args): void
{
    cli_expect_arguments($args, 3, 'add-user <username> <teacher|student|admin> "<Full name>"');
    [$rawUsername, $role, $rawName] = $args;
    $username = cli_username($rawUsername);
    if (!in_array($role, CLI_ROLES, true)) {
        throw new CliUsageError("unknown role '$role': use teacher, student or admin");
    }
    $name = cli_display_name($rawName, 'the full name');
    if (find_user_by_username($username) !== null) {
        throw new CliRefusal("the username '$username' is already taken (set-password changes its password)");
    }
    $hash = password_hash(cli_read_new_password($username), PASSWORD_DEFAULT);

    $insert = db()->prepare('INSERT INTO users (id, username, name, role, password_hash) VALUES (?, ?, ?, ?, ?)');
    for ($attempt = 0; ; $attempt++) {
        $id = cli_new_user_id();
        try {
            $insert->execute([$id, $username, $name, $role, $hash]);
            break;
        } catch (PDOException $error) {
            if (!cli_is_constraint_violation($error)) {
                throw $error;
            }
            if (find_user_by_username($username) !== null) {
                throw new CliRefusal("the username '$username' was taken meanwhile");
            }
            if ($attempt >= 4) {
                throw $error;
            }
        }
    }
    fwrite(STDERR, "Created the $role account '$username' ($name). Its user id (the token's sub):\n");
    fwrite(STDOUT, "$id\n");
}

/** @param list<string> $args */
function cli_set_email(array $args): void
{
    cli_expect_arguments($args, 2, 'set-email <username> <address|->');
    $username = cli_username($args[0]);
    $user = cli_existing_user($username);
    $email = $args[1] === '-' ? null : $args[1];
    if ($email !== null && (strlen($email) > 254 || filter_var($email, FILTER_VALIDATE_EMAIL) === false)) {
        throw new CliUsageError("'$email' is not an e-mail address");
    }
    db()->prepare('UPDATE users SET email = ? WHERE id = ?')->execute([$email, $user['id']]);
    fwrite(STDOUT, $email === null ? "Removed the e-mail address of '$username'.\n" : "Set the e-mail address of '$username' to $email.\n");
}

/** @param list<string> $args */
function cli_set_password(array $args): void
{
    cli_expect_arguments($args, 1, 'set-password <username>');
    $username = cli_username($args[0]);
    $user = cli_existing_user($username);
    $hash = password_hash(cli_read_new_password($username), PASSWORD_DEFAULT);
    db()->prepare('UPDATE users SET password_hash = ? WHERE id = ?')->execute([$hash, $user['id']]);
    clear_login_failures($username);
    fwrite(STDOUT, "Changed the password of '$username' (user id {$user['id']}); its failed-login count is cleared.\n"
        . "Sessions already signed in stay signed in until they end (idle timeout or sign-out).\n");
}

/** @param list<string> $args */
function cli_add_course(array $args): void
{
    cli_expect_arguments($args, 3, 'add-course <course-id> "<Course name>" <teacher-username>');
    [$courseId, $rawName, $teacherUsername] = $args;
    if (!preg_match(CLI_COURSE_ID_PATTERN, $courseId)) {
        throw new CliRefusal("invalid course id '$courseId': 1 to 32 letters, digits, '_' or '-' (e.g. MAT101)");
    }
    $name = cli_display_name($rawName, 'the course name');
    $teacher = cli_existing_user(cli_username($teacherUsername));
    if ($teacher['role'] !== 'teacher') {
        throw new CliRefusal("'{$teacher['username']}' is a {$teacher['role']}, not a teacher");
    }
    $existing = find_course($courseId);
    if ($existing !== null) {
        throw new CliRefusal("the course $courseId already exists ({$existing['name']}, taught by user id {$existing['teacherId']})");
    }
    db()->prepare('INSERT INTO courses (id, name, teacher_id) VALUES (?, ?, ?)')->execute([$courseId, $name, $teacher['id']]);
    fwrite(STDOUT, "Created the course $courseId ($name), taught by '{$teacher['username']}'.\n");
}

/** @param list<string> $args */
function cli_enrol(array $args): void
{
    if (count($args) < 2) {
        throw new CliUsageError('expected: enrol <course-id> <student-username>...');
    }
    $courseId = array_shift($args);
    $course = find_course($courseId);
    if ($course === null) {
        throw new CliRefusal("there is no course '$courseId' (list-courses shows them; add-course creates one)");
    }
    $students = [];
    $problems = [];
    foreach (array_unique($args) as $raw) {
        try {
            $user = cli_existing_user(cli_username($raw));
        } catch (CliRefusal $refusal) {
            $problems[] = $refusal->getMessage();
            continue;
        }
        if ($user['role'] !== 'student') {
            $problems[] = "'{$user['username']}' is a {$user['role']}, not a student";
            continue;
        }
        $students[] = $user;
    }
    if ($problems !== []) {
        throw new CliRefusal("nobody was enrolled:\n  " . implode("\n  ", $problems));
    }
    $pdo = db();
    $insert = $pdo->prepare('INSERT OR IGNORE INTO course_students (course_id, student_id) VALUES (?, ?)');
    $pdo->exec('BEGIN IMMEDIATE');
    try {
        $added = [];
        foreach ($students as $student) {
            $insert->execute([$courseId, $student['id']]);
            $added[$student['username']] = $insert->rowCount() === 1;
        }
        $pdo->exec('COMMIT');
    } catch (Throwable $error) {
        $pdo->exec('ROLLBACK');
        throw $error;
    }
    foreach ($added as $username => $isNew) {
        fwrite(STDOUT, ($isNew ? 'Enrolled' : 'Already enrolled') . " '$username' in $courseId.\n");
    }
}

/**
 * A co-teacher or an assistant on a course (or off it, with "-"). Staff need a teacher account: the portal
 * JWT's role opens the teacher pages, and the course role says what they may do there.
 *
 * @param list<string> $args
 */
function cli_add_staff(array $args): void
{
    cli_expect_arguments($args, 3, 'add-staff <course-id> <teacher-username> <co_teacher|assistant|->');
    [$courseId, $username, $role] = $args;
    if (!in_array($role, ['co_teacher', 'assistant', '-'], true)) {
        throw new CliRefusal("unknown staff role '$role': co_teacher, assistant, or - to take the person off the staff");
    }
    $course = find_course($courseId);
    if ($course === null) {
        throw new CliRefusal("there is no course '$courseId' (list-courses shows them; add-course creates one)");
    }
    $person = cli_existing_user(cli_username($username));
    if ($person['role'] !== 'teacher') {
        throw new CliRefusal("'{$person['username']}' is a {$person['role']}, not a teacher: course staff need a teacher account");
    }
    if ((string) $person['id'] === $course['teacherId']) {
        throw new CliRefusal("'{$person['username']}' is the teacher of $courseId already");
    }
    if ($role === '-') {
        db()->prepare('DELETE FROM course_staff WHERE course_id = ? AND person_id = ?')->execute([$courseId, $person['id']]);
        fwrite(STDOUT, "'{$person['username']}' is not on the staff of $courseId.\n");
        return;
    }
    db()->prepare('INSERT INTO course_staff (course_id, person_id, role) VALUES (?, ?, ?)
                   ON CONFLICT (course_id, person_id) DO UPDATE SET role = excluded.role')
        ->execute([$courseId, $person['id'], $role]);
    fwrite(STDOUT, "'{$person['username']}' is $role of $courseId.\n");
}

/** @param list<string> $args */
function cli_list_users(array $args): void
{
    cli_expect_arguments($args, 0, 'list-users');
    $rows = db()->query('SELECT id, username, role, name, password_hash FROM users ORDER BY role, username')->fetchAll();
    if ($rows === []) {
        fwrite(STDERR, "No accounts yet. Add one with: php php-legacy/bin/portal.php add-user <username> <role> \"<Full name>\"\n");
        return;
    }
    $demo = cli_demo_password_holders($rows);
    $table = array_map(fn (array $r): array => [
        (string) $r['id'],
        $r['username'],
        $r['role'],
        $r['name'] . (isset($demo[$r['username']]) ? '   [demo password: change it with set-password]' : ''),
    ], $rows);
    cli_print_table(['ID', 'USERNAME', 'ROLE', 'NAME'], $table);
}

/** @param list<string> $args */
function cli_list_courses(array $args): void
{
    cli_expect_arguments($args, 0, 'list-courses');
    $courses = db()->query(
        'SELECT c.id AS id, c.name AS name, t.username AS teacher FROM courses c JOIN users t ON t.id = c.teacher_id ORDER BY c.id'
    )->fetchAll();
    if ($courses === []) {
        fwrite(STDERR, "No courses yet. Add one with: php php-legacy/bin/portal.php add-course <course-id> \"<Course name>\" <teacher-username>\n");
        return;
    }
    $members = db()->prepare(
        'SELECT u.username FROM course_students cs JOIN users u ON u.id = cs.student_id WHERE cs.course_id = ? ORDER BY u.username'
    );
    $table = [];
    foreach ($courses as $course) {
        $members->execute([$course['id']]);
        $students = $members->fetchAll(PDO::FETCH_COLUMN);
        $table[] = [(string) $course['id'], $course['teacher'], (string) count($students), $course['name']];
        if ($students !== []) {
            $table[] = ['', '', '', '  students: ' . implode(', ', $students)];
        }
    }
    cli_print_table(['COURSE', 'TEACHER', 'STUDENTS', 'NAME'], $table);
}

// ---------------------------------------------------------------------------------------------------
// Checks and helpers
// ---------------------------------------------------------------------------------------------------

/** @param list<string> $args */
function cli_expect_arguments(array $args, int $count, string $usage): void
{
    if (count($args) !== $count) {
        throw new CliUsageError("expected: $usage");
    }
}

/** Usernames are stored in lower case, as the login form compares them. */
function cli_username(string $raw): string
{
    $username = strtolower(trim($raw));
    if (!preg_match(CLI_USERNAME_PATTERN, $username)) {
        throw new CliRefusal("invalid username '$raw': 1 to 64 characters, lower-case letters, digits, '.', '_' or '-', "
            . 'starting with a letter or a digit');
    }
    return $username;
}

function cli_display_name(string $raw, string $what): string
{
    $name = trim($raw);
    if (!preg_match('//u', $name) || preg_match('/[\x00-\x1f\x7f]/', $name)) {
        throw new CliRefusal("$what must be UTF-8 text without control characters");
    }
    $length = preg_match_all('/./su', $name);
    if ($length === 0 || $length > CLI_NAME_MAX_CHARS) {
        throw new CliRefusal("$what must have 1 to " . CLI_NAME_MAX_CHARS . ' characters');
    }
    return $name;
}

/** @return array{id: string, username: string, name: string, role: string, password_hash: string} */
function cli_existing_user(string $username): array
{
    $user = find_user_by_username($username);
    if ($user === null) {
        throw new CliRefusal("there is no user '$username' (list-users shows them)");
    }
    return $user;
}

/** A stable, opaque, never-reused id: "u" and 12 random hex digits (fits the portal's 64-character id rule). */
function cli_new_user_id(): string
{
    return 'u' . bin2hex(random_bytes(6));
}

function cli_is_constraint_violation(PDOException $error): bool
{
    return (string) $error->getCode() === '23000';
}

/**
 * A new password from standard input: on a terminal, asked twice without echo; when piped, the first line.
 */
function cli_read_new_password(string $username): string
{
    if (stream_isatty(STDIN)) {
        $password = cli_prompt_hidden('New password for ' . $username . ' (at least ' . CLI_PASSWORD_MIN_CHARS . ' characters): ');
        cli_check_password($password, $username);
        if (!hash_equals($password, cli_prompt_hidden('Repeat it: '))) {
            throw new CliRefusal('the two passwords differ; nothing was changed');
        }
        return $password;
    }
    $line = fgets(STDIN);
    if ($line === false) {
        throw new CliRefusal("no password on standard input (pipe one line, e.g. from a password manager, or run on a terminal)");
    }
    $password = rtrim($line, "\r\n");
    cli_check_password($password, $username);
    return $password;
}

function cli_check_password(string $password, string $username): void
{
    if (!preg_match('//u', $password) || preg_match('/[\x00-\x1f\x7f]/', $password)) {
        throw new CliRefusal('the password must be UTF-8 text without control characters');
    }
    $length = preg_match_all('/./su', $password);
    if ($length < CLI_PASSWORD_MIN_CHARS) {
        throw new CliRefusal("password refused: too weak ($length characters; at least " . CLI_PASSWORD_MIN_CHARS . ' are needed)');
    }
    if (strlen($password) > CLI_PASSWORD_MAX_BYTES) {
        throw new CliRefusal('password refused: longer than ' . CLI_PASSWORD_MAX_BYTES . ' bytes (the login form would refuse it)');
    }
    if (strlen($username) >= 4 && str_contains(strtolower($password), $username)) {
        throw new CliRefusal('password refused: it contains the username');
    }
}

/** Reads one line from the terminal with echo off (stty), restoring the terminal afterwards. */
function cli_prompt_hidden(string $prompt): string
{
    $saved = trim((string) shell_exec('stty -g 2>/dev/null'));
    if ($saved === '' || !preg_match('/^[A-Za-z0-9:=-]+$/', $saved)) {
        throw new CliRefusal('cannot turn off the echo on this terminal (no stty); pipe the password instead: '
            . "printf '%s\\n' \"\$PASSWORD\" | php bin/portal.php ...");
    }
    $restore = static function () use ($saved): void {
        shell_exec('stty ' . escapeshellarg($saved) . ' 2>/dev/null');
    };
    if (function_exists('pcntl_async_signals') && function_exists('pcntl_signal')) {
        pcntl_async_signals(true);
        foreach ([SIGINT, SIGTERM] as $signal) {
            pcntl_signal($signal, static function () use ($restore): never {
                $restore();
                fwrite(STDERR, "\nportal.php: interrupted; nothing was changed\n");
                exit(130);
            });
        }
    }
    fwrite(STDERR, $prompt);
    shell_exec('stty -echo 2>/dev/null');
    try {
        $line = fgets(STDIN);
    } finally {
        $restore();
        fwrite(STDERR, "\n");
    }
    if ($line === false) {
        throw new CliRefusal('no password given');
    }
    return rtrim($line, "\r\n");
}

/**
 * Accounts of seed.json that still have the demo password (a store created with PORTAL_SEED=demo).
 *
 * @param list<array{username: string, password_hash: string}> $rows
 * @return array<string, true>
 */
function cli_demo_password_holders(array $rows): array
{
    $seed = load_seed();
    $demoUsernames = array_column($seed['users'], 'username');
    $holders = [];
    foreach ($rows as $row) {
        if (in_array($row['username'], $demoUsernames, true)
            && password_verify((string) $seed['demoPassword'], $row['password_hash'])) {
            $holders[$row['username']] = true;
        }
    }
    return $holders;
}

/**
 * Files this command creates (the store, its -wal and -shm files) must belong to the user the portal runs
 * as, or the portal can no longer write its store: refuse to run as anyone else (e.g. root).
 */
function cli_check_store_owner(string $path): void
{
    $existing = file_exists($path) ? $path : (is_dir(dirname($path)) ? dirname($path) : null);
    if ($existing === null) {
        return;
    }
    $owner = @fileowner($existing);
    $me = cli_effective_uid();
    if ($owner === false || $me === null || $owner === $me) {
        return;
    }
    throw new CliRefusal("$existing belongs to user id $owner, but this command runs as user id $me. Run it as the "
        . 'user the portal runs as (in the container the default user, apache: podman compose exec asistencia-php ..., '
        . 'without --user root), so the files it writes stay usable by the portal');
}

function cli_effective_uid(): ?int
{
    if (function_exists('posix_geteuid')) {
        return posix_geteuid();
    }
    // Without the posix extension: the owner of a file this process creates is its effective user.
    $probe = @tempnam(sys_get_temp_dir(), 'portal-uid-');
    if ($probe === false) {
        return null;
    }
    $uid = @fileowner($probe);
    @unlink($probe);
    return $uid === false ? null : $uid;
}

/**
 * @param list<string> $header
 * @param list<list<string>> $rows the last column may be any length (it is not padded)
 */
function cli_print_table(array $header, array $rows): void
{
    $widths = [];
    foreach ([$header, ...$rows] as $row) {
        foreach (array_slice($row, 0, -1) as $i => $cell) {
            $widths[$i] = max($widths[$i] ?? 0, strlen($cell));
        }
    }
    foreach ([$header, ...$rows] as $row) {
        $line = '';
        foreach (array_slice($row, 0, -1) as $i => $cell) {
            $line .= str_pad($cell, $widths[$i] + 2);
        }
        fwrite(STDOUT, rtrim($line . (string) end($row)) . "\n");
    }
}
