import { defineErrors } from '../../../shared/errors.js';

export const authErrors = defineErrors({
  AUTH_TOKEN_MISSING: {
    kind: 'unauthenticated',
    es: 'Inicia sesión en el portal para continuar.',
    en: 'Sign in on the portal to continue.',
  },
  AUTH_TOKEN_MALFORMED: {
    kind: 'unauthenticated',
    es: 'El token de acceso no es válido. Vuelve a iniciar sesión.',
    en: 'The access token is not valid. Sign in again.',
  },
  AUTH_TOKEN_EXPIRED: {
    kind: 'unauthenticated',
    es: 'Tu sesión expiró. Vuelve a iniciar sesión.',
    en: 'Your session has expired. Sign in again.',
  },
  AUTH_TOKEN_NOT_YET_VALID: {
    kind: 'unauthenticated',
    es: 'El token de acceso aún no es válido. Revisa la hora de tu equipo.',
    en: 'The access token is not valid yet. Check your device clock.',
  },
  AUTH_TOKEN_WRONG_AUDIENCE: {
    kind: 'unauthenticated',
    es: 'El token de acceso no es para este servicio.',
    en: 'The access token is not meant for this service.',
  },
  AUTH_TOKEN_WRONG_ISSUER: {
    kind: 'unauthenticated',
    es: 'El token de acceso no lo emitió el portal.',
    en: 'The access token was not issued by the portal.',
  },
  AUTH_TOKEN_BAD_SIGNATURE: {
    kind: 'unauthenticated',
    es: 'La firma del token de acceso no es válida.',
    en: 'The access token signature is not valid.',
  },
  AUTH_TOKEN_UNSIGNED: {
    kind: 'unauthenticated',
    es: 'El token de acceso no está firmado.',
    en: 'The access token is not signed.',
  },
  AUTH_TOKEN_ALGORITHM_REFUSED: {
    kind: 'unauthenticated',
    es: 'El token de acceso usa un algoritmo no permitido.',
    en: 'The access token uses an algorithm that is not allowed.',
  },
  AUTH_TOKEN_CLAIMS_INVALID: {
    kind: 'unauthenticated',
    es: 'Al token de acceso le faltan datos obligatorios.',
    en: 'The access token lacks required claims.',
  },
  AUTH_TOKEN_REVOKED: {
    kind: 'unauthenticated',
    es: 'Tu sesión se cerró. Vuelve a iniciar sesión.',
    en: 'Your session was closed. Sign in again.',
  },
  AUTH_ROLE_FORBIDDEN: {
    kind: 'forbidden',
    es: 'Tu perfil ({role}) no puede hacer esto.',
    en: 'Your role ({role}) cannot do this.',
  },
  AUTH_SERVICE_CREDENTIAL_INVALID: {
    kind: 'unauthenticated',
    es: 'Credencial de servicio ausente o incorrecta.',
    en: 'Missing or wrong service credential.',
  },
  AUTH_SERVICE_CREDENTIAL_UNCONFIGURED: {
    kind: 'unavailable',
    es: 'La API interna no está configurada (INTERNAL_API_TOKEN).',
    en: 'The internal API is not configured (INTERNAL_API_TOKEN).',
  },
});
