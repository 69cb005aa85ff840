<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/**
 * GET /internal/courses.php?teacher=ID, ?student=ID or ?staff=ID → that person's courses (Node service only).
 * `staff` answers the courses the person teaches or is on the staff of, each with its staff and their roles.
 */
internal_get(function (): void {
    $given = array_filter([
        'teacher' => query_id('teacher', INTERNAL_PERSON_ID),
        'student' => query_id('student', INTERNAL_PERSON_ID),
        'staff' => query_id('staff', INTERNAL_PERSON_ID),
    ], fn (?string $id): bool => $id !== null);
    if (count($given) !== 1) {
        send_json_error(400, 'INVALID_QUERY', "Give exactly one of the query parameters 'teacher', 'student' or 'staff'.");
    }
    $personId = (string) reset($given);
    $courses = match (key($given)) {
        'teacher' => courses_taught_by($personId),
        'student' => courses_attended_by($personId),
        'staff' => courses_staffed_by($personId),
    };
    send_json(200, [
        'courses' => array_map(
            fn (array $c): array => ['id' => $c['id'], 'name' => $c['name'], 'teacherId' => $c['teacherId']]
                + (isset($c['staff']) ? ['staff' => $c['staff']] : []),
            $courses,
        ),
    ]);
});
