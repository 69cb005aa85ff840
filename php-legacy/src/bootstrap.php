<?php

declare(strict_types=1);

/**
 * Loaded first by every public script. Keeps the source outside the document root.
 */

require __DIR__ . '/errors.php';
require __DIR__ . '/config.php';
require __DIR__ . '/http.php';
require __DIR__ . '/i18n.php';
require __DIR__ . '/db.php';
require __DIR__ . '/session.php';
require __DIR__ . '/csrf.php';
require __DIR__ . '/throttle.php';
require __DIR__ . '/auth.php';
require __DIR__ . '/courses.php';
require __DIR__ . '/jwt.php';
require __DIR__ . '/internal_api.php';
require __DIR__ . '/revocation.php';
require __DIR__ . '/device_notice.php';
require __DIR__ . '/views/render.php';

ini_set('display_errors', '0');
ini_set('log_errors', '1');
header_remove('X-Powered-By');

/**
 * Runs a page or endpoint; a PortalError becomes its status and code, anything else a logged, generic 500.
 */
function portal_run(callable $handler, bool $json): void
{
    try {
        $handler();
    } catch (PortalError $error) {
        error_log("asistencia-portal: {$error->errorCode}: {$error->getMessage()}");
        fail($error->status, $error->errorCode, $error->getMessage(), $json);
    } catch (Throwable $error) {
        error_log('asistencia-portal: unexpected ' . get_class($error) . ': ' . $error->getMessage()
            . ' at ' . $error->getFile() . ':' . $error->getLine());
        fail(500, 'INTERNAL_ERROR', t('error.internal'), $json);
    }
}

function fail(int $status, string $code, string $message, bool $json): never
{
    if ($json) {
        send_json_error($status, $code, $message);
    }
    send_html($status, render_page(t('error.title'), 'message', ['message' => $message, 'isError' => true]));
}
