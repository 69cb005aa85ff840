<?php

declare(strict_types=1);

/**
 * Server-to-server endpoints for the Node service: only the shared bearer credential opens them.
 * A browser session cookie is never looked at.
 */

/** A person's id in the query string of an internal endpoint. */
const INTERNAL_PERSON_ID = '/^[A-Za-z0-9_-]{1,64}$/';
/** A course's id. */
const INTERNAL_COURSE_ID = '/^[A-Za-z0-9_-]{1,32}$/';

/** An internal endpoint: GET only, the credential checked, then `$answer` sends the JSON. */
function internal_get(callable $answer): void
{
    portal_run(function () use ($answer): void {
        require_get();
        require_internal_credential();
        $answer();
    }, json: true);
}

function require_internal_credential(): void
{
    $expected = internal_api_token();
    if ($expected === null) {
        send_json_error(503, 'INTERNAL_API_NOT_CONFIGURED', 'The internal API credential is not configured on the portal: '
            . 'INTERNAL_API_TOKEN is missing or shorter than ' . PORTAL_SECRET_MIN_BYTES . " bytes (the portal's error log says which).");
    }
    $given = bearer_token();
    if ($given === null || !hash_equals($expected, $given)) {
        header('WWW-Authenticate: Bearer realm="portal-internal"');
        send_json_error(401, 'INTERNAL_CREDENTIAL_REQUIRED', 'A valid internal bearer credential is required.');
    }
}

function bearer_token(): ?string
{
    $header = authorization_header();
    if ($header === null || !preg_match('/^Bearer\s+(\S+)\s*$/i', $header, $match)) {
        return null;
    }
    return $match[1];
}

function require_get(): void
{
    if (request_method() !== 'GET') {
        header('Allow: GET');
        send_json_error(405, 'METHOD_NOT_ALLOWED', 'Only GET is allowed here.');
    }
}

/** An id the query string must carry: a 400 naming it when absent or malformed. */
function required_query_id(string $name, string $pattern): string
{
    return query_id($name, $pattern)
        ?? send_json_error(400, 'INVALID_QUERY', "The query parameter '$name' is required.");
}

/** An id from the query string, or a 400 when present but malformed; null when absent. */
function query_id(string $name, string $pattern): ?string
{
    if (!array_key_exists($name, $_GET)) {
        return null;
    }
    $value = input_string($_GET, $name);
    if ($value === null || !preg_match($pattern, $value)) {
        send_json_error(400, 'INVALID_QUERY', "The query parameter '$name' is malformed.");
    }
    return $value;
}
