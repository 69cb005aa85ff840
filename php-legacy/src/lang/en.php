<?php

declare(strict_types=1);

return [
    'app.title' => 'University portal',
    'lang.other' => 'Español',
    'lang.other_code' => 'es',
    'login.title' => 'Sign in',
    'login.username' => 'Username',
    'login.password' => 'Password',
    'login.submit' => 'Sign in',
    'login.logged_out' => 'You have signed out.',
    'login.error.credentials' => 'Incorrect username or password',
    'login.error.missing' => 'Enter your username and your password.',
    'login.error.csrf' => 'The form has expired or is not valid (the CSRF token is missing or does not match). '
        . 'Reload the page and try again.',
    'login.error.throttled_one' => 'Too many failed attempts. Wait 1 minute before trying again.',
    'login.error.throttled_many' => 'Too many failed attempts. Wait {minutes} minutes before trying again.',
    'login.no_accounts' => 'This portal has no accounts yet, so nobody can sign in. '
        . 'An operator creates them on the server with the portal\'s command line (it asks for the password separately):',
    'login.no_accounts.command' => 'php php-legacy/bin/portal.php add-user <username> <teacher|student|admin> "<Full name>"',
    'login.no_accounts.container' => 'With podman compose: podman compose exec asistencia-php php /srv/asistencia/php-legacy/bin/portal.php add-user … '
        . '(then add-course and enrol; see docs/operations.md, "Portal accounts").',
    'home.title' => 'Home',
    'home.greeting' => 'Hello, {name}',
    'role.teacher' => 'Teacher',
    'role.student' => 'Student',
    'role.admin' => 'Administration',
    'courses.teacher' => 'Courses you teach',
    'courses.student' => 'Your courses',
    'courses.admin' => 'All courses',
    'courses.none' => 'You have no courses.',
    'courses.code' => 'Code',
    'courses.name' => 'Course',
    'courses.teacher_name' => 'Teacher',
    'courses.students' => 'Students',
    'asistencia.title' => 'Attendance',
    'asistencia.teacher' => 'Take attendance in class',
    'asistencia.student' => 'My attendance',
    'asistencia.enroll' => 'Enroll my passkey',
    'asistencia.admin' => 'Devices and audit trail',
    'logout.submit' => 'Sign out',
    'logout.title' => 'Sign out',
    'logout.error.csrf' => 'Could not sign out: the form has expired or is not valid (CSRF token). '
        . 'Reload the page and try again.',
    'logout.back' => 'Back to home',
    'logout.confirm.heading' => 'Sign out?',
    'logout.confirm.text' => '{name}, you are about to sign out of the portal and of Asistencia. '
        . 'On a shared computer, always sign out when you are done.',
    'logout.cancel' => 'No, go back',
    'token.session_required' => 'Sign in to the portal to continue.',
    'token.cross_site' => 'Request refused: only same-site requests are accepted.',
    'error.title' => 'Error',
    'error.internal' => 'An internal error occurred. Please try again later.',
    'error.method' => 'Method not allowed.',
];
