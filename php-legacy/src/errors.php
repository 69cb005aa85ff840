<?php

declare(strict_types=1);

/**
 * The portal's one error type: a stable code, a message safe to show, and the HTTP status it maps to.
 * Anything else that escapes a handler becomes a generic 500 (see portal_run in bootstrap.php).
 */
final class PortalError extends RuntimeException
{
    public function __construct(
        public readonly string $errorCode,
        string $message,
        public readonly int $status = 500,
    ) {
        parent::__construct($message);
    }
}
