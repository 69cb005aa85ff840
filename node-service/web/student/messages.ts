import { defineMessages, type I18n } from '../src/lib/i18n';

export const messages = defineMessages(
  {
    'student.title': 'Mi asistencia · Asistencia',
    'student.heading': 'Mi asistencia',
    'student.for': 'Asistencia de {name}.',
    'student.passkey': 'Registrar o gestionar mi llave de acceso',
    'student.notStudent': 'Esta página es para estudiantes. Tu perfil es {role}.',
    'student.noCourses': 'No figuras en ningún curso del portal.',
    'course.rate': 'Asistencia: {rate}',
    'course.noRate': 'Asistencia: —',
    'course.rateNote': 'Las sesiones justificadas no cuentan para el porcentaje.',
    'course.noSessions': 'Todavía no se ha hecho ninguna sesión de este curso.',
    'course.sessions': 'Sesiones de {course}',
    'session.rounds': '{confirmed} de {run} rondas',
    'session.running': 'En curso',
    'result.present': 'Presente',
    'result.partial': 'Parcial',
    'result.late': 'Tarde',
    'result.absent': 'Ausente',
    'result.excused': 'Justificado',
    'result.manual_present': 'Presente (manual)',
  },
  {
    'student.title': 'My attendance · Asistencia',
    'student.heading': 'My attendance',
    'student.for': 'Attendance of {name}.',
    'student.passkey': 'Enrol or manage my passkey',
    'student.notStudent': 'This page is for students. Your role is {role}.',
    'student.noCourses': 'The portal does not list you on any course.',
    'course.rate': 'Attendance: {rate}',
    'course.noRate': 'Attendance: —',
    'course.rateNote': 'Excused sessions do not count towards the percentage.',
    'course.noSessions': 'No session of this course has taken place yet.',
    'course.sessions': 'Sessions of {course}',
    'session.rounds': '{confirmed} of {run} rounds',
    'session.running': 'In progress',
    'result.present': 'Present',
    'result.partial': 'Partial',
    'result.late': 'Late',
    'result.absent': 'Absent',
    'result.excused': 'Excused',
    'result.manual_present': 'Present (manual)',
  },
);

export type Key = keyof (typeof messages)['es'];
export type StudentI18n = I18n<Key>;
