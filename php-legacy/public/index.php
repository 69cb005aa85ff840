<?php

declare(strict_types=1);

require dirname(__DIR__) . '/src/bootstrap.php';

/** Home: the signed-in user's courses and the Asistencia pages for their role. */
portal_run(function (): void {
    start_portal_session();
    $user = current_user();
    if ($user === null) {
        send_redirect(login_url('/'));
    }
    $courses = array_map(
        fn (array $c): array => $c + ['studentCount' => course_student_count($c['id'])],
        courses_for_user($user),
    );
    send_html(200, render_page(t('home.title'), 'home', [
        'user' => $user,
        'courses' => $courses,
        'links' => asistencia_links($user['role']),
        'csrf' => csrf_token(),
        'deviceChange' => $user['role'] === 'student' ? recent_device_change((string) $user['id']) : null,
    ]));
}, json: false);

/** @return list<array{href: string, label: string}> */
function asistencia_links(string $role): array
{
    return match ($role) {
        'teacher' => [['href' => '/asistencia/teacher/', 'label' => t('asistencia.teacher')]],
        'student' => [
            ['href' => '/asistencia/student/', 'label' => t('asistencia.student')],
            ['href' => '/asistencia/enroll/', 'label' => t('asistencia.enroll')],
        ],
        'admin' => [['href' => '/asistencia/admin/', 'label' => t('asistencia.admin')]],
        default => [],
    };
}
