<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/**
 * GET /internal/person.php?email=ADDRESS (or ?username=NAME) → the one person with that e-mail address
 * (compared without case) or username, in any role, or 404 (Node service only): an LTI launch from an LMS
 * names its user by e-mail or by a configured claim, and Asistencia signs in the portal's person.
 */
internal_get(function (): void {
    $email = input_string($_GET, 'email');
    $username = input_string($_GET, 'username');
    if (($email === null) === ($username === null)) {
        send_json_error(400, 'INVALID_QUERY', "Give exactly one of the query parameters 'email' and 'username'.");
    }
    $value = $email ?? $username;
    if (strlen($value) < 1 || strlen($value) > 254) {
        send_json_error(400, 'INVALID_QUERY', 'The value must be 1 to 254 characters long.');
    }
    $person = find_person_by($email !== null ? 'email' : 'username', $value)
        ?? send_json_error(404, 'PERSON_NOT_FOUND', 'No person has that e-mail address or username.');
    send_json(200, ['person' => $person]);
});
