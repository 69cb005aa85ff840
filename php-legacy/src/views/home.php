<?php
/** @var array{id: string, name: string, role: string} $user */
/** @var list<array{id: string, name: string, teacherName: string, studentCount: int}> $courses */
/** @var list<array{href: string, label: string}> $links */
/** @var string $csrf */
/** @var array{action: string, by: string, occurredAt: string}|null $deviceChange */
?>
<?php if ($deviceChange !== null): ?>
<section class="card device-notice" role="status" data-device-change="<?= e($deviceChange['action']) ?>">
    <p><?= e(device_notice_text($deviceChange)) ?></p>
    <p><a href="/asistencia/enroll/"><?= e(t('devices.review')) ?></a></p>
</section>
<?php endif; ?>
<section class="card">
    <h1><?= e(t('home.greeting', ['name' => $user['name']])) ?></h1>
    <p class="role"><?= e(t('role.' . $user['role'])) ?></p>
    <form method="post" action="/logout.php" class="logout">
        <input type="hidden" name="<?= e(CSRF_FIELD) ?>" value="<?= e($csrf) ?>">
        <button type="submit"><?= e(t('logout.submit')) ?></button>
    </form>
</section>
<section class="card">
    <h2><?= e(t('courses.' . $user['role'])) ?></h2>
    <?php if ($courses === []): ?>
        <p><?= e(t('courses.none')) ?></p>
    <?php else: ?>
        <table class="courses">
            <thead><tr>
                <th><?= e(t('courses.code')) ?></th>
                <th><?= e(t('courses.name')) ?></th>
                <th><?= e(t('courses.teacher_name')) ?></th>
                <th><?= e(t('courses.students')) ?></th>
            </tr></thead>
            <tbody>
            <?php foreach ($courses as $course): ?>
                <tr data-course="<?= e($course['id']) ?>">
                    <td><?= e($course['id']) ?></td>
                    <td><?= e($course['name']) ?></td>
                    <td><?= e($course['teacherName']) ?></td>
                    <td><?= e((string) $course['studentCount']) ?></td>
                </tr>
            <?php endforeach; ?>
            </tbody>
        </table>
    <?php endif; ?>
</section>
<section class="card">
    <h2><?= e(t('asistencia.title')) ?></h2>
    <ul class="asistencia-links">
        <?php foreach ($links as $link): ?>
            <li><a href="<?= e($link['href']) ?>"><?= e($link['label']) ?></a></li>
        <?php endforeach; ?>
    </ul>
</section>
