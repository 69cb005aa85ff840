<?php
/** @var array{id: string, name: string, role: string} $user */
/** @var string $csrf */
/** @var string $back */
?>
<section class="card">
    <h1><?= e(t('logout.confirm.heading')) ?></h1>
    <p><?= e(t('logout.confirm.text', ['name' => $user['name']])) ?></p>
    <form method="post" action="/logout.php" class="logout">
        <input type="hidden" name="<?= e(CSRF_FIELD) ?>" value="<?= e($csrf) ?>">
        <button type="submit"><?= e(t('logout.submit')) ?></button>
    </form>
    <p><a href="<?= e($back) ?>"><?= e(t('logout.cancel')) ?></a></p>
</section>
