<?php

declare(strict_types=1);

return [
    'app.title' => 'Portal universitario',
    'lang.other' => 'English',
    'lang.other_code' => 'en',
    'login.title' => 'Iniciar sesión',
    'login.username' => 'Usuario',
    'login.password' => 'Contraseña',
    'login.submit' => 'Entrar',
    'login.logged_out' => 'Cerraste la sesión.',
    'login.error.credentials' => 'Usuario o contraseña incorrectos',
    'login.error.missing' => 'Escribe tu usuario y tu contraseña.',
    'login.error.csrf' => 'El formulario caducó o no es válido (falta el token CSRF o no coincide). '
        . 'Recarga la página y vuelve a intentarlo.',
    'login.error.throttled_one' => 'Demasiados intentos fallidos. Espera 1 minuto antes de volver a intentarlo.',
    'login.error.throttled_many' => 'Demasiados intentos fallidos. Espera {minutes} minutos antes de volver a intentarlo.',
    'login.no_accounts' => 'Este portal todavía no tiene ninguna cuenta, así que nadie puede iniciar sesión. '
        . 'Un operador crea las cuentas en el servidor con la línea de órdenes del portal (la contraseña se pide aparte):',
    'login.no_accounts.command' => 'php php-legacy/bin/portal.php add-user <usuario> <teacher|student|admin> "<Nombre completo>"',
    'login.no_accounts.container' => 'Con podman compose: podman compose exec asistencia-php php /srv/asistencia/php-legacy/bin/portal.php add-user … '
        . '(después add-course y enrol; véase docs/operations.md, «Portal accounts»).',
    'home.title' => 'Inicio',
    'home.greeting' => 'Hola, {name}',
    'role.teacher' => 'Docente',
    'role.student' => 'Estudiante',
    'role.admin' => 'Administración',
    'courses.teacher' => 'Cursos que impartes',
    'courses.student' => 'Tus cursos',
    'courses.admin' => 'Todos los cursos',
    'courses.none' => 'No tienes cursos asignados.',
    'courses.code' => 'Código',
    'courses.name' => 'Curso',
    'courses.teacher_name' => 'Docente',
    'courses.students' => 'Estudiantes',
    'asistencia.title' => 'Asistencia',
    'asistencia.teacher' => 'Tomar asistencia en clase',
    'asistencia.student' => 'Mi asistencia',
    'asistencia.enroll' => 'Registrar mi llave de acceso (passkey)',
    'asistencia.admin' => 'Dispositivos y auditoría',
    'logout.submit' => 'Cerrar sesión',
    'logout.title' => 'Cerrar sesión',
    'logout.error.csrf' => 'No se pudo cerrar la sesión: el formulario caducó o no es válido (token CSRF). '
        . 'Recarga la página y vuelve a intentarlo.',
    'logout.back' => 'Volver al inicio',
    'logout.confirm.heading' => '¿Cerrar sesión?',
    'logout.confirm.text' => '{name}, vas a cerrar tu sesión en el portal y en Asistencia. '
        . 'En un computador compartido, ciérrala siempre al terminar.',
    'logout.cancel' => 'No, volver',
    'token.session_required' => 'Inicia sesión en el portal para continuar.',
    'token.cross_site' => 'Solicitud rechazada: solo se aceptan solicitudes del mismo sitio.',
    'error.title' => 'Error',
    'error.internal' => 'Ocurrió un error interno. Vuelve a intentarlo más tarde.',
    'error.method' => 'Método no permitido.',
];
