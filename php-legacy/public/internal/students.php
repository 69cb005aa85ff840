<?php

declare(strict_types=1);

require dirname(__DIR__, 2) . '/src/bootstrap.php';

/**
 * GET /internal/students.php?q=Luis%20Perez&limit=20 → the students matching a name, username or id, at most
 * `limit` (1–100, default 20): an admin looking a student up (Node service only).
 */
internal_get(function (): void {
    $query = input_string($_GET, 'q');
    $query = $query === null ? '' : trim($query);
    if ($query === '' || strlen($query) > 400 || !preg_match('//u', $query) || preg_match('/[\x00-\x1f\x7f]/', $query)) {
        send_json_error(400, 'INVALID_QUERY', "The query parameter 'q' must be 1 to 400 bytes of printable UTF-8.");
    }
    $words = array_values(array_filter(preg_split('/\s+/u', fold_text($query)) ?: [], fn (string $w): bool => $w !== ''));
    if (count($words) > 8) {
        send_json_error(400, 'INVALID_QUERY', "The query parameter 'q' has more than 8 words.");
    }
    $limit = 20;
    if (array_key_exists('limit', $_GET)) {
        $given = input_string($_GET, 'limit');
        if ($given === null || !preg_match('/^[1-9][0-9]{0,2}$/', $given) || (int) $given > 100) {
            send_json_error(400, 'INVALID_QUERY', "The query parameter 'limit' must be a whole number from 1 to 100.");
        }
        $limit = (int) $given;
    }
    send_json(200, ['students' => search_students($query, $words, $limit)]);
});
