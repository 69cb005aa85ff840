<?php

declare(strict_types=1);

/** Course and roster queries. Ids leave this file as strings. */

const COURSE_COLUMNS = 'c.id AS id, c.name AS name, c.teacher_id AS teacherId, t.name AS teacherName';

/** @return list<array{id: string, name: string, teacherId: string, teacherName: string}> */
function courses_taught_by(string $teacherId): array
{
    return course_rows(
        'SELECT ' . COURSE_COLUMNS . ' FROM courses c JOIN users t ON t.id = c.teacher_id
         WHERE c.teacher_id = ? ORDER BY c.id',
        [$teacherId],
    );
}

/**
 * The courses a person teaches or is on the staff of (co-teacher, assistant), with their staff.
 *
 * @return list<array{id: string, name: string, teacherId: string, teacherName: string, staff: list<array{id: string, name: string, role: string}>}>
 */
function courses_staffed_by(string $personId): array
{
    $courses = course_rows(
        'SELECT ' . COURSE_COLUMNS . ' FROM courses c JOIN users t ON t.id = c.teacher_id
         WHERE c.teacher_id = ? OR c.id IN (SELECT course_id FROM course_staff WHERE person_id = ?) ORDER BY c.id',
        [$personId, $personId],
    );
    return array_map(fn (array $c): array => $c + ['staff' => course_staff($c['id'])], $courses);
}

/**
 * A course's staff besides its teacher: role 'co_teacher' or 'assistant'.
 *
 * @return list<array{id: string, name: string, role: string}>
 */
function course_staff(string $courseId): array
{
    $query = db()->prepare(
        'SELECT u.id AS id, u.name AS name, s.role AS role FROM course_staff s
         JOIN users u ON u.id = s.person_id WHERE s.course_id = ? ORDER BY s.role DESC, u.name, u.id'
    );
    $query->execute([$courseId]);
    return array_map(
        fn (array $r): array => ['id' => (string) $r['id'], 'name' => $r['name'], 'role' => $r['role']],
        $query->fetchAll(),
    );
}

/** @return list<array{id: string, name: string, teacherId: string, teacherName: string}> */
function courses_attended_by(string $studentId): array
{
    return course_rows(
        'SELECT ' . COURSE_COLUMNS . ' FROM courses c JOIN users t ON t.id = c.teacher_id
         JOIN course_students cs ON cs.course_id = c.id WHERE cs.student_id = ? ORDER BY c.id',
        [$studentId],
    );
}

/** @return list<array{id: string, name: string, teacherId: string, teacherName: string}> */
function all_courses(): array
{
    return course_rows('SELECT ' . COURSE_COLUMNS . ' FROM courses c JOIN users t ON t.id = c.teacher_id ORDER BY c.id', []);
}

/** @return list<array{id: string, name: string, teacherId: string, teacherName: string}> */
function courses_for_user(array $user): array
{
    return match ($user['role']) {
        'teacher' => courses_staffed_by($user['id']),
        'student' => courses_attended_by($user['id']),
        'admin' => all_courses(),
        default => [],
    };
}

/** @return array{id: string, name: string, teacherId: string, teacherName: string}|null */
function find_course(string $courseId): ?array
{
    $rows = course_rows('SELECT ' . COURSE_COLUMNS . ' FROM courses c JOIN users t ON t.id = c.teacher_id WHERE c.id = ?', [$courseId]);
    return $rows[0] ?? null;
}

/**
 * The username is the student's number on the portal: exports print it beside the name.
 *
 * @return list<array{id: string, name: string, username: string}>
 */
function course_students(string $courseId): array
{
    $query = db()->prepare(
        'SELECT u.id AS id, u.name AS name, u.username AS username FROM course_students cs
         JOIN users u ON u.id = cs.student_id WHERE cs.course_id = ? ORDER BY u.name, u.id'
    );
    $query->execute([$courseId]);
    return array_map(
        fn (array $r): array => ['id' => (string) $r['id'], 'name' => $r['name'], 'username' => $r['username']],
        $query->fetchAll(),
    );
}

function course_student_count(string $courseId): int
{
    $query = db()->prepare('SELECT COUNT(*) FROM course_students WHERE course_id = ?');
    $query->execute([$courseId]);
    return (int) $query->fetchColumn();
}

/** @return list<array{id: string, name: string, teacherId: string, teacherName: string}> */
function course_rows(string $sql, array $params): array
{
    $query = db()->prepare($sql);
    $query->execute($params);
    return array_map(fn (array $r): array => [
        'id' => (string) $r['id'],
        'name' => $r['name'],
        'teacherId' => (string) $r['teacherId'],
        'teacherName' => $r['teacherName'],
    ], $query->fetchAll());
}

/** @return array{id: string, name: string, username: string}|null */
function find_student(string $studentId): ?array
{
    $query = db()->prepare("SELECT id, name, username FROM users WHERE id = ? AND role = 'student'");
    $query->execute([$studentId]);
    $row = $query->fetch();
    return $row === false ? null : ['id' => (string) $row['id'], 'name' => $row['name'], 'username' => $row['username']];
}

/**
 * Lower case without accents, for matching what an admin types against names: "Pérez" and "PEREZ" both
 * become "perez". strtr rather than mbstring or intl, which the portal does not require.
 */
function fold_text(string $text): string
{
    static $map = [
        'Á' => 'a', 'À' => 'a', 'Â' => 'a', 'Ä' => 'a', 'Ã' => 'a', 'Å' => 'a', 'á' => 'a', 'à' => 'a', 'â' => 'a', 'ä' => 'a', 'ã' => 'a', 'å' => 'a',
        'É' => 'e', 'È' => 'e', 'Ê' => 'e', 'Ë' => 'e', 'é' => 'e', 'è' => 'e', 'ê' => 'e', 'ë' => 'e',
        'Í' => 'i', 'Ì' => 'i', 'Î' => 'i', 'Ï' => 'i', 'í' => 'i', 'ì' => 'i', 'î' => 'i', 'ï' => 'i',
        'Ó' => 'o', 'Ò' => 'o', 'Ô' => 'o', 'Ö' => 'o', 'Õ' => 'o', 'ó' => 'o', 'ò' => 'o', 'ô' => 'o', 'ö' => 'o', 'õ' => 'o',
        'Ú' => 'u', 'Ù' => 'u', 'Û' => 'u', 'Ü' => 'u', 'ú' => 'u', 'ù' => 'u', 'û' => 'u', 'ü' => 'u',
        'Ñ' => 'n', 'ñ' => 'n', 'Ç' => 'c', 'ç' => 'c', 'Ý' => 'y', 'ý' => 'y', 'ÿ' => 'y',
    ];
    return strtolower(strtr($text, $map));
}

/**
 * Students whose name or username holds every word of the query (accents and case ignored), or whose id or
 * username is the query itself; those exact matches first, then by name. At most $limit rows.
 *
 * @param list<string> $words folded, non-empty
 * @return list<array{id: string, name: string, username: string}>
 */
function search_students(string $query, array $words, int $limit): array
{
    $pdo = db();
    // A deterministic SQL function, so the filtering and the limit stay in SQLite however many students.
    $pdo->sqliteCreateFunction('portal_fold', 'fold_text', 1, PDO::SQLITE_DETERMINISTIC);
    $conditions = [];
    $params = [];
    foreach ($words as $word) {
        $conditions[] = "portal_fold(name || ' ' || username) LIKE ? ESCAPE '\\'";
        $params[] = '%' . addcslashes($word, '%_\\') . '%';
    }
    $sql = "SELECT id, name, username FROM users WHERE role = 'student'
            AND (id = ? OR username = ? OR (" . implode(' AND ', $conditions) . "))
            ORDER BY CASE WHEN id = ? OR username = ? THEN 0 ELSE 1 END, name, id LIMIT ?";
    $statement = $pdo->prepare($sql);
    $statement->execute([$query, $query, ...$params, $query, $query, $limit]);
    return array_map(
        fn (array $r): array => ['id' => (string) $r['id'], 'name' => $r['name'], 'username' => $r['username']],
        $statement->fetchAll(),
    );
}

/**
 * Anyone's name, username, role and e-mail address by id (students, teachers, admins): histories name the people
 * in them; the attendance service's warnings are sent to the address (null: none known).
 *
 * @param list<string> $ids
 * @return list<array{id: string, name: string, username: string, role: string, email: string|null}>
 */
function find_people(array $ids): array
{
    if ($ids === []) {
        return [];
    }
    $statement = db()->prepare('SELECT id, name, username, role, email FROM users WHERE id IN (' . implode(', ', array_fill(0, count($ids), '?')) . ') ORDER BY id');
    $statement->execute($ids);
    return array_map(
        fn (array $r): array => ['id' => (string) $r['id'], 'name' => $r['name'], 'username' => $r['username'], 'role' => $r['role'], 'email' => $r['email']],
        $statement->fetchAll(),
    );
}

/** The one person whose e-mail address (case ignored) or username is $value, or null (none, or several). */
function find_person_by(string $field, string $value): ?array
{
    $column = $field === 'email' ? 'lower(email)' : 'username';
    $statement = db()->prepare("SELECT id, name, username, role, email FROM users WHERE $column = ? ORDER BY id LIMIT 2");
    $statement->execute([$field === 'email' ? strtolower($value) : $value]);
    $rows = $statement->fetchAll();
    if (count($rows) !== 1) {
        return null;
    }
    $r = $rows[0];
    return ['id' => (string) $r['id'], 'name' => $r['name'], 'username' => $r['username'], 'role' => $r['role'], 'email' => $r['email']];
}
