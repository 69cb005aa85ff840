<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/**
 * GET /internal/student.php?id=ID → one student's name and username (Node service only): a walk-in, who is
 * on no roster of the session's course, is named by this.
 */
internal_get(function (): void {
    $studentId = required_query_id('id', INTERNAL_PERSON_ID);
    $student = find_student($studentId)
        ?? send_json_error(404, 'STUDENT_NOT_FOUND', "No student has the id '$studentId'.");
    send_json(200, ['student' => $student]);
});
