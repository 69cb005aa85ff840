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

/** The current URL with the other language selected, for the language switch. */
function other_language_url(): string
{
    $query = $_GET;
    $query['lang'] = t('lang.other_code');
    $path = strtok((string) ($_SERVER['REQUEST_URI'] ?? '/'), '?') ?: '/';
    return $path . '?' . http_build_query($query);
}
