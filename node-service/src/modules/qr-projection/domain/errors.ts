import { defineErrors } from '../../../shared/errors.js';

export const projectionErrors = defineErrors({
  PROJECTION_NOT_SUBSCRIBED: {
    kind: 'invalid',
    es: 'Este proyector no está suscrito a esa sesión.',
    en: 'This projector is not subscribed to that session.',
  },
  PROJECTION_TOO_MANY: {
    kind: 'too_many',
    es: 'Demasiadas proyecciones abiertas en esta conexión.',
    en: 'Too many projections open on this connection.',
  },
});
