<?php

declare(strict_types=1);

require dirname(__DIR__) . '/src/bootstrap.php';

/** Login form (GET) and password check (POST), CSRF-protected and throttled. */
portal_run(function (): void {
    start_portal_session();
    $next = safe_next(input_string(request_method() === 'POST' ? $_POST : $_GET, 'next'));
    if (request_method() === 'POST') {
        handle_login_post($next);
    }
    if (current_user() !== null) {
        send_redirect($next);
    }
    $notice = input_string($_GET, 'logged_out') !== null ? t('login.logged_out') : null;
    show_login_form(200, $next, '', null, $notice);
}, json: false);

function handle_login_post(string $next): never
{
    $username = input_string($_POST, 'username') ?? '';
    if (!csrf_is_valid()) {
        show_login_form(403, $next, $username, t('login.error.csrf'));
    }
    $address = (string) ($_SERVER['REMOTE_ADDR'] ?? 'unknown');
    $result = attempt_login($username, input_string($_POST, 'password') ?? '', $address);
    if (isset($result['user'])) {
        sign_in($result['user']);
        send_redirect($next);
    }
    match ($result['error']) {
        'throttled' => show_throttled_form($next, $username, $result['wait']),
        'missing' => show_login_form(400, $next, $username, t('login.error.missing')),
        default => show_login_form(401, $next, $username, t('login.error.credentials')),
    };
}

function show_throttled_form(string $next, string $username, int $wait): never
{
    header('Retry-After: ' . $wait);
    show_login_form(429, $next, $username, throttle_message($wait));
}

function show_login_form(int $status, string $next, string $username, ?string $error, ?string $notice = null): never
{
    send_html($status, render_page(t('login.title'), 'login', [
        'csrf' => csrf_token(),
        'next' => $next,
        'username' => $username,
        'error' => $error,
        'notice' => $notice,
        // An empty store (PORTAL_SEED=none before an operator added anyone): say so instead of a bare form.
        'noAccounts' => !store_has_users(),
    ]));
}
