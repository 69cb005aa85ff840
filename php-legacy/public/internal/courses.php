<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/** GET /internal/courses.php?teacher=ID or ?student=ID → that person's courses (Node service only). */
internal_get(function (): void {
    $teacherId = query_id('teacher', INTERNAL_PERSON_ID);
    $studentId = query_id('student', INTERNAL_PERSON_ID);
    if (($teacherId === null) === ($studentId === null)) {
        send_json_error(400, 'INVALID_QUERY', "Give exactly one of the query parameters 'teacher' or 'student'.");
    }
    $courses = $teacherId !== null ? courses_taught_by($teacherId) : courses_attended_by((string) $studentId);
    send_json(200, [
        'courses' => array_map(
            fn (array $c): array => ['id' => $c['id'], 'name' => $c['name'], 'teacherId' => $c['teacherId']],
            $courses,
        ),
    ]);
});
