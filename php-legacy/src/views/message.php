<?php
/** @var string $message */
/** @var bool $isError */
?>
<section class="card">
    <p class="<?= $isError ? 'error' : 'notice' ?>" role="<?= $isError ? 'alert' : 'status' ?>"><?= e($message) ?></p>
    <p><a href="/"><?= e(t('logout.back')) ?></a></p>
</section>
