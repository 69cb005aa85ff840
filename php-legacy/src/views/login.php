<?php
/** @var string $csrf */
/** @var string $next */
/** @var string $username */
/** @var string|null $error */
/** @var string|null $notice */
/** @var bool $noAccounts */
?>
<section class="card">
    <h1><?= e(t('login.title')) ?></h1>
    <?php if ($noAccounts): ?>
        <div class="notice setup" role="status" id="no-accounts">
            <p><?= e(t('login.no_accounts')) ?></p>
            <pre><code><?= e(t('login.no_accounts.command')) ?></code></pre>
            <p><?= e(t('login.no_accounts.container')) ?></p>
        </div>
    <?php endif; ?>
    <?php if ($notice !== null): ?>
        <p class="notice" role="status"><?= e($notice) ?></p>
    <?php endif; ?>
    <?php if ($error !== null): ?>
        <p class="error" role="alert"><?= e($error) ?></p>
    <?php endif; ?>
    <form method="post" action="/login.php">
        <input type="hidden" name="<?= e(CSRF_FIELD) ?>" value="<?= e($csrf) ?>">
        <input type="hidden" name="next" value="<?= e($next) ?>">
        <label for="username"><?= e(t('login.username')) ?></label>
        <input id="username" name="username" autocomplete="username" required value="<?= e($username) ?>">
        <label for="password"><?= e(t('login.password')) ?></label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit"><?= e(t('login.submit')) ?></button>
    </form>
</section>
