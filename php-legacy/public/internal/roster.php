<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/** GET /internal/roster.php?course=MAT101 → the course and its students (Node service only). */
portal_run(function (): void {
    require_get();
    require_internal_credential();
    $courseId = query_id('course', '/^[A-Za-z0-9_-]{1,32}$/');
    if ($courseId === null) {
        send_json_error(400, 'INVALID_QUERY', "The query parameter 'course' is required.");
    }
    $course = find_course($courseId);
    if ($course === null) {
        send_json_error(404, 'COURSE_NOT_FOUND', "No course has the id '$courseId'.");
    }
    send_json(200, [
        'course' => ['id' => $course['id'], 'name' => $course['name'], 'teacherId' => $course['teacherId']],
        'students' => course_students($courseId),
    ]);
}, json: true);
