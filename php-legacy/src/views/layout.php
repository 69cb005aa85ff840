<?php
/** @var string $title */
/** @var string $content already escaped HTML from a view */
?>
<!DOCTYPE html>
<html lang="<?= e(portal_lang()) ?>">
<head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title><?= e($title) ?> · <?= e(t('app.title')) ?></title>
    <link rel="icon" href="/favicon.ico" sizes="32x32">
    <link rel="stylesheet" href="/style.css">
</head>
<body>
<header class="top">
    <a class="brand" href="/"><?= e(t('app.title')) ?></a>
    <a class="lang" href="<?= e(other_language_url()) ?>" hreflang="<?= e(t('lang.other_code')) ?>"><?= e(t('lang.other')) ?></a>
</header>
<main>
<?= $content ?>
</main>
</body>
</html>
