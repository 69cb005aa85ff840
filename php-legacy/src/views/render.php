<?php

declare(strict_types=1);

/** Renders a view inside the layout. Views only print values through e(). */

/** @param array<string, mixed> $vars */
function render_view(string $view, array $vars): string
{
    extract($vars, EXTR_SKIP);
    ob_start();
    require __DIR__ . "/$view.php";
    return (string) ob_get_clean();
}

/** @param array<string, mixed> $vars */
function render_page(string $title, string $view, array $vars): string
{
    return render_view('layout', ['title' => $title, 'content' => render_view($view, $vars)]);
}

/**
 * The current page with the other language selected, for the language switch. Built only from known
 * values: the script's own path (never the request's path info), the language, a `next` that safe_next()
 * accepts and the logout notice; whatever else the query carried is not reflected into the page.
 */
function other_language_url(): string
{
    $query = ['lang' => t('lang.other_code')];
    $next = input_string($_GET, 'next');
    if ($next !== null && safe_next($next, '') !== '') {
        $query['next'] = $next;
    }
    if (input_string($_GET, 'logged_out') !== null) {
        $query['logged_out'] = '1';
    }
    $script = (string) ($_SERVER['SCRIPT_NAME'] ?? '/');
    $path = preg_match('#^/[a-z_]+\.php$#', $script) && $script !== '/index.php' ? $script : '/';
    return $path . '?' . http_build_query($query, '', '&', PHP_QUERY_RFC3986);
}
