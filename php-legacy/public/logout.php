<?php

declare(strict_types=1);

require dirname(__DIR__) . '/src/bootstrap.php';

/**
 * Logout. GET shows a confirmation with the form (the Asistencia pages' "Salir" links here, `next` being
 * the way back); POST with the CSRF token ends the session, then revokes the JWTs issued in it. Nobody
 * signed in: the login page.
 */
portal_run(function (): void {
    $method = request_method();
    if (!in_array($method, ['GET', 'HEAD', 'POST'], true)) {
        header('Allow: GET, POST');
        send_html(405, render_page(t('logout.title'), 'message', ['message' => t('error.method'), 'isError' => true]));
    }
    if (!resume_portal_session() || current_user() === null) {
        send_redirect('/login.php');
    }
    if ($method !== 'POST') {
        send_html(200, render_page(t('logout.title'), 'logout', [
            'user' => current_user(),
            'csrf' => csrf_token(),
            'back' => safe_next(input_string($_GET, 'next')),
        ]));
    }
    if (!csrf_is_valid()) {
        send_html(403, render_page(t('logout.title'), 'message', ['message' => t('logout.error.csrf'), 'isError' => true]));
    }
    $liveTokens = sign_out();
    revoke_issued_tokens($liveTokens);
    send_redirect('/login.php?logged_out=1');
}, json: false);
