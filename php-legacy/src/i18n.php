<?php

declare(strict_types=1);

/** Spanish first; English on ?lang=en, remembered in a cookie. */

const PORTAL_LANGUAGES = ['es', 'en'];
const PORTAL_LANG_COOKIE = 'portal_lang';

function portal_lang(): string
{
    static $lang = null;
    if ($lang !== null) {
        return $lang;
    }
    $asked = input_string($_GET, 'lang');
    if ($asked !== null && in_array($asked, PORTAL_LANGUAGES, true)) {
        $lang = $asked;
        setcookie(PORTAL_LANG_COOKIE, $lang, [
            'expires' => time() + 365 * 24 * 3600,
            'path' => '/',
            'secure' => is_https(),
            'httponly' => false,
            'samesite' => 'Lax',
        ]);
        return $lang;
    }
    $remembered = input_string($_COOKIE, PORTAL_LANG_COOKIE);
    $lang = in_array($remembered, PORTAL_LANGUAGES, true) ? $remembered : 'es';
    return $lang;
}

/** @param array<string, string|int> $params replaces {name} placeholders */
function t(string $key, array $params = []): string
{
    static $catalogues = [];
    $lang = portal_lang();
    $catalogues[$lang] ??= require __DIR__ . "/lang/$lang.php";
    $text = $catalogues[$lang][$key] ?? $key;
    foreach ($params as $name => $value) {
        $text = str_replace('{' . $name . '}', (string) $value, $text);
    }
    return $text;
}
