import { defineErrors } from '../../../shared/errors.js';

/** What a student may see at scan time: what happened, and what to do now. */
export const scanErrors = defineErrors({
  SCAN_CODE_EXPIRED: {
    kind: 'gone',
    es: 'El código cambió. Escanee el que está en pantalla ahora.',
    en: 'The code has changed. Scan the one on the screen now.',
  },
  SCAN_FALLBACK_UNKNOWN: {
    kind: 'gone',
    es: 'Ese código no está vigente. Escriba el que se ve en pantalla ahora.',
    en: 'That code is not current. Type the one on the screen now.',
  },
  SCAN_CHALLENGE_INVALID: {
    kind: 'gone',
    es: 'La confirmación caducó o ya se usó. Escanee el código de nuevo.',
    en: 'The confirmation expired or was already used. Scan the code again.',
  },
  SCAN_DEVICE_NOT_ENROLLED: {
    kind: 'forbidden',
    es: 'Esta llave de acceso no está registrada. Registre su teléfono en Asistencia antes de marcar asistencia.',
    en: 'This passkey is not enrolled. Enrol your phone in Asistencia before marking attendance.',
  },
  SCAN_DEVICE_REVOKED: {
    kind: 'forbidden',
    es: 'Esta llave de acceso fue revocada. Registre de nuevo su teléfono o hable con un administrador.',
    en: 'This passkey was revoked. Enrol your phone again or talk to an administrator.',
  },
  SCAN_DEVICE_FLAGGED: {
    kind: 'forbidden',
    es: 'Esta llave de acceso está bloqueada por seguridad. Hable con un administrador.',
    en: 'This passkey is blocked for security reasons. Talk to an administrator.',
  },
  SCAN_COUNTER_REGRESSED: {
    kind: 'forbidden',
    es: 'La llave de acceso parece clonada y quedó bloqueada. Hable con un administrador.',
    en: 'The passkey looks cloned and has been blocked. Talk to an administrator.',
  },
  SCAN_USER_VERIFICATION_REQUIRED: {
    kind: 'invalid',
    es: 'Confirme con su huella, rostro o PIN del teléfono.',
    en: 'Confirm with your fingerprint, face or phone PIN.',
  },
  SCAN_ASSERTION_INVALID: {
    kind: 'invalid',
    es: 'No se pudo verificar la llave de acceso. Escanee el código de nuevo.',
    en: 'The passkey could not be verified. Scan the code again.',
  },
  SCAN_NETWORK_REFUSED: {
    kind: 'forbidden',
    es: 'Esta sesión solo acepta confirmaciones desde la red del campus. Conéctese al wifi de la universidad.',
    en: 'This session only accepts confirmations from the campus network. Join the university wifi.',
  },
});
