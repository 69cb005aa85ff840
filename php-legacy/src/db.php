<?php

declare(strict_types=1);

/**
 * The portal's SQLite store. Created from schema.sql on first use and, when PORTAL_SEED is "demo" (the
 * default), seeded with seed.json's demo users and courses; with "none" it starts empty and an operator
 * adds accounts with bin/portal.php. The write lock taken by BEGIN IMMEDIATE makes concurrent first
 * requests (and the command line) wait for one another.
 */

const PORTAL_SCHEMA_VERSION = 4;

/**
 * From one schema version to the next, for stores created by an older portal (schema.sql is the latest).
 * 2: the login throttle counts per username and address, per username and per address (throttle.php).
 */
const PORTAL_SCHEMA_UPGRADES = [
    2 => "DROP TABLE IF EXISTS login_failures;
        CREATE TABLE login_throttle (
            scope             TEXT    NOT NULL CHECK (scope IN ('user_address', 'user', 'address')),
            username          TEXT    NOT NULL,
            address           TEXT    NOT NULL,
            failures          INTEGER NOT NULL,
            window_started_at INTEGER NOT NULL,
            last_failed_at    INTEGER NOT NULL,
            PRIMARY KEY (scope, username, address)
        );",
    // 3: each user may have an e-mail address (the attendance service's warnings); existing rows keep theirs null.
    3 => 'ALTER TABLE users ADD COLUMN email TEXT;',
    // 4: a course's staff besides its teacher (co-teachers and assistants); existing courses start with none.
    4 => "CREATE TABLE course_staff (
            course_id TEXT NOT NULL REFERENCES courses (id),
            person_id TEXT NOT NULL REFERENCES users (id),
            role      TEXT NOT NULL CHECK (role IN ('co_teacher', 'assistant')),
            PRIMARY KEY (course_id, person_id)
        );
        CREATE INDEX course_staff_by_person ON course_staff (person_id);",
];

function db(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        $pdo = open_store(portal_config()['db_path']);
    }
    return $pdo;
}

function open_store(string $path): PDO
{
    $dir = dirname($path);
    if (!is_dir($dir) && !@mkdir($dir, 0770, true) && !is_dir($dir)) {
        throw new RuntimeException("cannot create the portal store directory $dir");
    }
    $pdo = new PDO('sqlite:' . $path, null, null, [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        PDO::ATTR_TIMEOUT => 10,
    ]);
    $pdo->exec('PRAGMA foreign_keys = ON');
    if (schema_version($pdo) !== PORTAL_SCHEMA_VERSION) {
        initialise_store($pdo);
    }
    return $pdo;
}

function schema_version(PDO $pdo): int
{
    return (int) $pdo->query('PRAGMA user_version')->fetchColumn();
}

function initialise_store(PDO $pdo): void
{
    $pdo->exec('BEGIN IMMEDIATE');
    try {
        // Another request may have finished the job while this one waited for the lock.
        $version = schema_version($pdo);
        $created = $version === 0;
        if ($created) {
            $pdo->exec(read_project_file('schema.sql'));
            if (portal_config()['seed'] === 'demo') {
                seed_store($pdo, load_seed());
            }
            $pdo->exec('PRAGMA user_version = ' . PORTAL_SCHEMA_VERSION);
        } elseif ($version < PORTAL_SCHEMA_VERSION) {
            for ($next = $version + 1; $next <= PORTAL_SCHEMA_VERSION; $next++) {
                $pdo->exec(PORTAL_SCHEMA_UPGRADES[$next]);
            }
            $pdo->exec('PRAGMA user_version = ' . PORTAL_SCHEMA_VERSION);
        }
        $pdo->exec('COMMIT');
    } catch (Throwable $e) {
        $pdo->exec('ROLLBACK');
        throw $e;
    }
    if ($created) {
        use_write_ahead_log($pdo);
    }
}

/**
 * WAL lets readers and the writer work at the same time; the setting stays with the file. Switching needs
 * the file to itself, and SQLite refuses at once rather than wait when others are reading, so retry a
 * little; if it still fails, the default rollback journal is slower but just as correct.
 */
function use_write_ahead_log(PDO $pdo): void
{
    for ($attempt = 0; $attempt < 40; $attempt++) {
        try {
            $pdo->exec('PRAGMA journal_mode = WAL');
            return;
        } catch (PDOException $e) {
            usleep(50_000);
        }
    }
    error_log('asistencia-portal: could not switch the store to WAL; staying with the rollback journal');
}

function read_project_file(string $name): string
{
    $content = file_get_contents(dirname(__DIR__) . '/' . $name);
    if ($content === false) {
        throw new RuntimeException("cannot read php-legacy/$name");
    }
    return $content;
}

/** @return array<string, mixed> */
function load_seed(): array
{
    return json_decode(read_project_file('seed.json'), true, 16, JSON_THROW_ON_ERROR);
}

/** @param array<string, mixed> $seed */
function seed_store(PDO $pdo, array $seed): void
{
    $user = $pdo->prepare(
        'INSERT INTO users (id, username, name, role, password_hash, email) VALUES (?, ?, ?, ?, ?, ?)'
    );
    foreach ($seed['users'] as $u) {
        $hash = password_hash((string) $seed['demoPassword'], PASSWORD_DEFAULT);
        $user->execute([$u['id'], $u['username'], $u['name'], $u['role'], $hash, $u['email'] ?? null]);
    }
    $course = $pdo->prepare('INSERT INTO courses (id, name, teacher_id) VALUES (?, ?, ?)');
    $member = $pdo->prepare('INSERT INTO course_students (course_id, student_id) VALUES (?, ?)');
    $staff = $pdo->prepare('INSERT INTO course_staff (course_id, person_id, role) VALUES (?, ?, ?)');
    foreach ($seed['courses'] as $c) {
        $course->execute([$c['id'], $c['name'], $c['teacherId']]);
        foreach ($c['studentIds'] as $studentId) {
            $member->execute([$c['id'], $studentId]);
        }
        foreach ($c['staff'] ?? [] as $s) {
            $staff->execute([$c['id'], $s['id'], $s['role']]);
        }
    }
}

function store_has_users(): bool
{
    return (bool) db()->query('SELECT EXISTS (SELECT 1 FROM users)')->fetchColumn();
}

/**
 * True when PORTAL_SEED=none and the password is seed.json's demo password: a store created earlier with
 * the demo data keeps those accounts, and none of them (nor anyone else) may sign in with it then.
 * A plain comparison, no hashing: the CLI refuses passwords this short anyway.
 */
function is_refused_demo_password(string $password): bool
{
    return portal_config()['seed'] === 'none' && hash_equals((string) load_seed()['demoPassword'], $password);
}
