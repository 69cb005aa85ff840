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
        'teacher' => courses_taught_by($user['id']),
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
