import { defineErrors } from '../../../shared/errors.js';

export const privacyErrors = defineErrors({
  PRIVACY_STUDENT_UNKNOWN: {
    kind: 'not_found',
    es: 'El servicio no guarda datos de ese estudiante.',
    en: 'The service holds no data about that student.',
  },
});
