<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/** GET /internal/roster.php?course=MAT101 → the course (with its staff and their roles) and its students (Node service only). */
internal_get(function (): void {
    $courseId = required_query_id('course', INTERNAL_COURSE_ID);
    $course = find_course($courseId)
        ?? send_json_error(404, 'COURSE_NOT_FOUND', "No course has the id '$courseId'.");
    send_json(200, [
        'course' => [
            'id' => $course['id'],
            'name' => $course['name'],
            'teacherId' => $course['teacherId'],
            'staff' => course_staff($courseId),
        ],
        'students' => course_students($courseId),
    ]);
});
