import { defineMessages, type I18n } from '../src/lib/i18n';

export const messages = defineMessages(
  {
    'calendar.title': 'Mi calendario · Asistencia',
    'calendar.heading': 'Mi calendario',
    'calendar.intro': 'Suscribe tu aplicación de calendario (Google Calendar, Outlook, Calendario de Apple) a las clases de tus cursos: fecha, hora y sala, al día cuando cambian.',
    'calendar.secret': 'Cada enlace es personal y secreto: quien lo tenga ve las clases de ese curso. Si lo compartiste por error, crea enlaces nuevos: los anteriores dejan de funcionar.',
    'calendar.feedHeading': 'Mis enlaces',
    'calendar.none': 'No tienes enlaces de calendario activos.',
    'calendar.active': 'Tienes enlaces activos desde el {at}. Por seguridad solo se muestran al crearlos: si no los guardaste, crea enlaces nuevos.',
    'calendar.created': 'Copia cada enlace en tu aplicación de calendario (“Agregar calendario desde URL”). No se volverán a mostrar.',
    'calendar.noCourses': 'No tienes cursos en el portal.',
    'calendar.forCourse': 'Enlace de {course}',
    'calendar.create': 'Crear mis enlaces',
    'calendar.recreate': 'Crear enlaces nuevos (los anteriores dejan de funcionar)',
    'calendar.revoke': 'Desactivar mis enlaces',
    'calendar.revoked': 'Tus enlaces quedaron desactivados.',
    'calendar.notAllowed': 'Los calendarios son para docentes y estudiantes. Tu perfil es {role}.',
  },
  {
    'calendar.title': 'My calendar · Asistencia',
    'calendar.heading': 'My calendar',
    'calendar.intro': 'Subscribe your calendar app (Google Calendar, Outlook, Apple Calendar) to your courses’ classes: date, time and room, kept up to date when they change.',
    'calendar.secret': 'Each link is personal and secret: whoever has it sees that course’s classes. If you shared it by mistake, make new links: the old ones stop working.',
    'calendar.feedHeading': 'My links',
    'calendar.none': 'You have no active calendar links.',
    'calendar.active': 'You have had active links since {at}. For safety they are shown only when made: if you did not keep them, make new links.',
    'calendar.created': 'Copy each link into your calendar app (“Add calendar from URL”). They will not be shown again.',
    'calendar.noCourses': 'You have no courses in the portal.',
    'calendar.forCourse': 'Link for {course}',
    'calendar.create': 'Make my links',
    'calendar.recreate': 'Make new links (the old ones stop working)',
    'calendar.revoke': 'Turn off my links',
    'calendar.revoked': 'Your links are turned off.',
    'calendar.notAllowed': 'Calendars are for teachers and students. Your role is {role}.',
  },
);

type Key = keyof (typeof messages)['es'];
export type CalendarI18n = I18n<Key>;
