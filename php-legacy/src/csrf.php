<?php

declare(strict_types=1);

/** One synchronizer token per session, rotated at login; every form posts it as csrf_token. */

const CSRF_FIELD = 'csrf_token';

function csrf_token(): string
{
    if (!isset($_SESSION['csrf']) || !is_string($_SESSION['csrf'])) {
        rotate_csrf_token();
    }
    return $_SESSION['csrf'];
}

function rotate_csrf_token(): void
{
    $_SESSION['csrf'] = bin2hex(random_bytes(32));
}

function csrf_is_valid(): bool
{
    $sent = input_string($_POST, CSRF_FIELD);
    $expected = $_SESSION['csrf'] ?? null;
    return is_string($expected) && $sent !== null && hash_equals($expected, $sent);
}
