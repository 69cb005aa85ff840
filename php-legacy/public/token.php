<?php

declare(strict_types=1);

require dirname(__DIR__) . '/src/bootstrap.php';

/**
 * The Asistencia pages call this (same origin, with the portal session cookie) to get a short-lived JWT.
 * ?next=/asistencia/... only shapes the loginUrl given back when there is no session.
 */
portal_run(function (): void {
    require_get();
    refuse_cross_site_request();
    $user = resume_portal_session() ? current_user() : null;
    if ($user === null) {
        $next = safe_next(input_string($_GET, 'next'));
        send_json_error(401, 'PORTAL_SESSION_REQUIRED', t('token.session_required'), ['loginUrl' => login_url($next)]);
    }
    $issued = issue_portal_token($user, time());
    remember_issued_jti($issued['jti'], $issued['exp']);
    send_json(200, ['token' => $issued['token'], 'expiresAt' => $issued['exp']]);
}, json: true);

/** Browsers say where a request comes from: only our own pages (or the user typing the URL) may ask. */
function refuse_cross_site_request(): void
{
    $site = request_header('Sec-Fetch-Site');
    if ($site !== null && !in_array(strtolower($site), ['same-origin', 'none'], true)) {
        send_json_error(403, 'CROSS_SITE_REQUEST', t('token.cross_site'));
    }
}
