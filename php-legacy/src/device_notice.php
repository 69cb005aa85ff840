<?php

declare(strict_types=1);

/**
 * The portal's home tells a student of a recent change to their Asistencia devices (a passkey enrolled,
 * revoked or linked to another phone, an attempt refused), as "Mi asistencia" does: someone who has only
 * the student's portal password cannot change their devices unseen. Asked of node-service on the service
 * network, with the shared credential; a slow or failed answer only leaves the notice out.
 */

/** How long the home page waits for node-service before showing itself without the notice. */
const DEVICE_NOTICE_TIMEOUT_SECONDS = 1.5;

/**
 * The newest change to the student's devices within node-service's ENROLLMENT_CHANGE_NOTICE_DAYS, or null.
 *
 * @return array{action: string, by: string, occurredAt: string}|null
 */
function recent_device_change(string $studentId): ?array
{
    $credential = internal_api_token();
    if ($credential === null || preg_match(INTERNAL_PERSON_ID, $studentId) !== 1) {
        return null;
    }
    $url = portal_config()['node_internal_url'] . '/asistencia/internal/students/' . rawurlencode($studentId) . '/device-changes';
    $context = stream_context_create(['http' => [
        'method' => 'GET',
        'header' => "Authorization: Bearer $credential\r\nAccept: application/json\r\nConnection: close\r\n",
        'timeout' => DEVICE_NOTICE_TIMEOUT_SECONDS,
        'ignore_errors' => true,
        'follow_location' => 0,
    ]]);
    $answer = @file_get_contents($url, false, $context);
    $statusLine = $http_response_header[0] ?? '';
    if ($answer === false || preg_match('#^HTTP/\S+\s+200\b#', $statusLine) !== 1) {
        error_log("asistencia-portal: the device changes of student $studentId could not be read at $url ($statusLine)");
        return null;
    }
    try {
        $body = json_decode($answer, true, 8, JSON_THROW_ON_ERROR);
    } catch (JsonException) {
        error_log("asistencia-portal: the device changes of student $studentId were not JSON");
        return null;
    }
    $latest = $body['changes'][0] ?? null;
    if (!is_array($latest) || !is_string($latest['action'] ?? null) || !is_string($latest['occurredAt'] ?? null)) {
        return null;
    }
    return ['action' => $latest['action'], 'by' => is_string($latest['by'] ?? null) ? $latest['by'] : 'system', 'occurredAt' => $latest['occurredAt']];
}

/** The notice as the home page says it, in the reader's language and the institution's time zone. */
function device_notice_text(array $change): string
{
    try {
        $zone = new DateTimeZone(portal_config()['time_zone']);
    } catch (Exception) {
        $zone = new DateTimeZone('America/Santiago');
    }
    try {
        $at = (new DateTimeImmutable($change['occurredAt']))->setTimezone($zone)->format('d-m-Y H:i');
    } catch (Exception) {
        $at = $change['occurredAt'];
    }
    $known = ['enrolled', 'revoked', 'rebound', 'reset', 'flagged', 'refused'];
    $action = in_array($change['action'], $known, true) ? $change['action'] : 'changed';
    return t('devices.notice', ['what' => t('devices.action.' . $action), 'at' => $at]);
}
