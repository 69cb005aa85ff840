<?php

declare(strict_types=1);

require dirname(__DIR__) . '/src/bootstrap.php';

/** Logout: POST with the CSRF token; ends the session, then revokes the JWTs issued in it. */
portal_run(function (): void {
    if (request_method() !== 'POST') {
        header('Allow: POST');
        send_html(405, render_page(t('logout.title'), 'message', ['message' => t('error.method'), 'isError' => true]));
    }
    if (!resume_portal_session() || current_user() === null) {
        send_redirect('/login.php');
    }
    if (!csrf_is_valid()) {
        send_html(403, render_page(t('logout.title'), 'message', ['message' => t('logout.error.csrf'), 'isError' => true]));
    }
    $liveTokens = sign_out();
    revoke_issued_tokens($liveTokens);
    send_redirect('/login.php?logged_out=1');
}, json: false);
