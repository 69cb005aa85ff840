<?php

declare(strict_types=1);

/**
 * The portal JWT handed to the Asistencia pages: HS256 (RFC 7519 / RFC 7515), written by hand.
 * The Node service pins the algorithm and checks iss, aud, exp and nbf.
 */

const JWT_TTL_MIN_SECONDS = 300;
const JWT_TTL_MAX_SECONDS = 600;

function base64url_encode(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

/**
 * @param array{id: string, name: string, role: string} $user
 * @return array{token: string, jti: string, exp: int}
 */
function issue_portal_token(array $user, int $now): array
{
    $config = portal_config();
    $ttl = $config['jwt_ttl_seconds'];
    if ($ttl < JWT_TTL_MIN_SECONDS || $ttl > JWT_TTL_MAX_SECONDS) {
        error_log("asistencia-portal: JWT_TTL_SECONDS=$ttl is outside " . JWT_TTL_MIN_SECONDS . '..' . JWT_TTL_MAX_SECONDS);
        throw new PortalError('TOKEN_ISSUER_MISCONFIGURED', 'The portal cannot issue tokens: its token lifetime is misconfigured.');
    }
    $secret = jwt_secret();
    $jti = bin2hex(random_bytes(16));
    $claims = [
        'iss' => $config['jwt_issuer'],
        'aud' => $config['jwt_audience'],
        'sub' => (string) $user['id'],
        'role' => $user['role'],
        'name' => $user['name'],
        'iat' => $now,
        'nbf' => $now,
        'exp' => $now + $ttl,
        'jti' => $jti,
    ];
    return ['token' => sign_hs256($claims, $secret), 'jti' => $jti, 'exp' => $claims['exp']];
}

/** @param array<string, mixed> $claims */
function sign_hs256(array $claims, string $secret): string
{
    $flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR;
    $header = base64url_encode(json_encode(['alg' => 'HS256', 'typ' => 'JWT'], $flags));
    $payload = base64url_encode(json_encode($claims, $flags));
    $signature = base64url_encode(hash_hmac('sha256', "$header.$payload", $secret, true));
    return "$header.$payload.$signature";
}
