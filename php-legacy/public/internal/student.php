<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/**
 * GET /internal/student.php?id=ID → one student's name and username (Node service only): a walk-in, who is
 * on no roster of the session's course, is named by this.
 */
portal_run(function (): void {
    require_get();
    require_internal_credential();
    $studentId = query_id('id', '/^[A-Za-z0-9_-]{1,64}$/');
    if ($studentId === null) {
        send_json_error(400, 'INVALID_QUERY', "The query parameter 'id' is required.");
    }
    $student = find_student($studentId);
    if ($student === null) {
        send_json_error(404, 'STUDENT_NOT_FOUND', "No student has the id '$studentId'.");
    }
    send_json(200, ['student' => $student]);
}, json: true);
