import { defineErrors } from '../../../shared/errors.js';

/**
 * Why a launch, a registration or a call to a platform was refused. A refused launch is shown on a page in
 * Spanish and English (presentation/pages.ts) and writes nothing.
 */
export const ltiErrors = defineErrors({
  LTI_PLATFORM_UNKNOWN: {
    kind: 'forbidden',
    es: 'Esta plataforma (LMS) no está registrada en Asistencia. Pide a quien administra Asistencia que la registre.',
    en: 'This platform (LMS) is not registered in Asistencia. Ask whoever runs Asistencia to register it.',
  },
  LTI_STATE_MISMATCH: {
    kind: 'forbidden',
    es: 'El ingreso no empezó en este navegador o ya caducó. Vuelve al curso en tu LMS y abre Asistencia de nuevo.',
    en: 'The sign-in did not start in this browser or has expired. Go back to your course in the LMS and open Asistencia again.',
  },
  LTI_TOKEN_INVALID: {
    kind: 'forbidden',
    es: 'La plataforma envió un ingreso que no se pudo verificar ({reason}). Abre Asistencia de nuevo desde tu curso.',
    en: 'The platform sent a launch that could not be verified ({reason}). Open Asistencia again from your course.',
  },
  LTI_NONCE_REPLAYED: {
    kind: 'forbidden',
    es: 'Este ingreso ya se usó una vez. Abre Asistencia de nuevo desde tu curso.',
    en: 'This launch has already been used once. Open Asistencia again from your course.',
  },
  LTI_DEPLOYMENT_UNKNOWN: {
    kind: 'forbidden',
    es: 'Esta instalación de Asistencia en el LMS no está registrada. Pide a quien administra Asistencia que agregue su id de despliegue.',
    en: 'This installation of Asistencia in the LMS is not registered. Ask whoever runs Asistencia to add its deployment id.',
  },
  LTI_CLAIMS_INVALID: {
    kind: 'invalid',
    es: 'Al ingreso le faltan datos que LTI 1.3 exige ({reason}).',
    en: 'The launch lacks data LTI 1.3 requires ({reason}).',
  },
  LTI_ROLE_UNSUPPORTED: {
    kind: 'forbidden',
    es: 'Asistencia solo recibe a docentes y estudiantes del curso. Tu rol en el LMS no es ninguno de los dos.',
    en: 'Asistencia only takes the course’s teachers and students. Your role in the LMS is neither.',
  },
  LTI_PERSON_UNKNOWN: {
    kind: 'forbidden',
    es: 'No encontramos tu cuenta del portal ({who}). Pide a tu institución que revise que tu correo sea el mismo en el LMS y en el portal.',
    en: 'We did not find your portal account ({who}). Ask your institution to check that your e-mail is the same in the LMS and in the portal.',
  },
  LTI_COURSE_NOT_LINKED: {
    kind: 'not_found',
    es: 'Este curso del LMS todavía no está vinculado a un curso de Asistencia. Quien enseña el curso puede vincularlo al agregar Asistencia como actividad.',
    en: 'This LMS course is not linked to an Asistencia course yet. Its teacher can link it by adding Asistencia as an activity.',
  },
  LTI_COURSE_NOT_TAUGHT: {
    kind: 'forbidden',
    es: 'Según el portal, no enseñas el curso {courseId}: no puedes vincularlo ni abrirlo como docente.',
    en: 'According to the portal you do not teach course {courseId}: you cannot link it or open it as its teacher.',
  },
  LTI_SESSION_MISSING: {
    kind: 'unauthenticated',
    es: 'No hay un ingreso desde el LMS en este navegador. Abre Asistencia desde tu curso.',
    en: 'There is no LMS sign-in in this browser. Open Asistencia from your course.',
  },
  LTI_REGISTRATION_INVALID: {
    kind: 'invalid',
    es: 'No se pudo registrar la plataforma: {reason}.',
    en: 'The platform could not be registered: {reason}.',
  },
  LTI_REGISTRATION_EXISTS: {
    kind: 'conflict',
    es: 'Esa plataforma ya está registrada con ese client id.',
    en: 'That platform is already registered with that client id.',
  },
  LTI_INVITATION_INVALID: {
    kind: 'forbidden',
    es: 'El enlace de registro no es válido, ya se usó o caducó. Crea otro en la página de administración.',
    en: 'The registration link is not valid, has been used or has expired. Make another on the admin page.',
  },
  LTI_PLATFORM_NOT_FOUND: {
    kind: 'not_found',
    es: 'No existe ese registro de plataforma.',
    en: 'There is no such platform registration.',
  },
  LTI_PLATFORM_UNAVAILABLE: {
    kind: 'unavailable',
    es: 'La plataforma (LMS) no respondió como se esperaba ({reason}). Se volverá a intentar.',
    en: 'The platform (LMS) did not answer as expected ({reason}). It will be tried again.',
  },
  LTI_SERVICE_NOT_OFFERED: {
    kind: 'conflict',
    es: 'La plataforma no ofrece ese servicio para este curso ({service}).',
    en: 'The platform does not offer that service for this course ({service}).',
  },
});
