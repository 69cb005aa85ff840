import { defineErrors } from '../../../shared/errors.js';

export const directoryErrors = defineErrors({
  COURSE_RIGHT_MISSING: {
    kind: 'forbidden',
    es: 'Como {role} de este curso no puedes {action}. Pídeselo al docente del curso.',
    en: 'As {role} of this course you cannot {action}. Ask the course’s teacher.',
  },
  DIRECTORY_COURSE_NOT_FOUND: {
    kind: 'not_found',
    es: 'El curso {courseId} no existe en el portal.',
    en: 'Course {courseId} does not exist on the portal.',
  },
  DIRECTORY_QUERY_REFUSED: {
    kind: 'invalid',
    es: 'El portal de cursos rechazó la consulta por no ser válida ({detail}). Revisa lo que escribiste.',
    en: 'The course portal refused the query as not valid ({detail}). Check what you typed.',
  },
  DIRECTORY_UNAVAILABLE: {
    kind: 'unavailable',
    es: 'No se pudo consultar el portal de cursos. Vuelve a intentarlo en un momento.',
    en: 'The course portal could not be reached. Try again in a moment.',
  },
});
