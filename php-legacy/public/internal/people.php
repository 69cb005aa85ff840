<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/**
 * GET /internal/people.php?ids=2,5 → the name, username, role and e-mail address (or null) of each known id, in
 * any role (at most 100 ids; unknown ones are left out): histories show names instead of roles and numbers, and
 * warnings by e-mail go to the address (Node service only).
 */
internal_get(function (): void {
    $given = input_string($_GET, 'ids');
    if ($given === null || !preg_match('/^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){0,99}$/', $given)) {
        send_json_error(400, 'INVALID_QUERY', "The query parameter 'ids' must be 1 to 100 ids separated by commas.");
    }
    send_json(200, ['people' => find_people(array_values(array_unique(explode(',', $given))))]);
});
