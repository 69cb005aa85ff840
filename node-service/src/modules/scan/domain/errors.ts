import { defineErrors } from '../../../shared/errors.js';

/** What a student may see at scan time: what happened, and what to do now. */
export const scanErrors = defineErrors({
  SCAN_CODE_EXPIRED: {
    kind: 'gone',
    es: 'El código cambió. Escanea el que está en pantalla ahora.',
    en: 'The code has changed. Scan the one on the screen now.',
  },
  SCAN_FALLBACK_UNKNOWN: {
    kind: 'gone',
    es: 'Ese código no está vigente. Escribe el que se ve en pantalla ahora.',
    en: 'That code is not current. Type the one on the screen now.',
  },
  SCAN_CHALLENGE_INVALID: {
    kind: 'gone',
    es: 'La confirmación caducó o ya se usó. Escanea el código de nuevo.',
    en: 'The confirmation expired or was already used. Scan the code again.',
  },
  SCAN_PHONE_UNKNOWN: {
    kind: 'forbidden',
    es: 'Este teléfono no está vinculado a tu llave de acceso. Abre «Registrar mi llave» en este teléfono: regístrala o vuelve a vincularla, y escanea otra vez.',
    en: 'This phone is not linked to your passkey. Open "Enrol my passkey" on this phone: enrol it or link it again, then scan again.',
  },
  SCAN_PHONE_SIGNATURE_INVALID: {
    kind: 'invalid',
    es: 'Este teléfono no pudo firmar la solicitud. Recarga la página y escanea otra vez.',
    en: 'This phone could not sign the request. Reload the page and scan again.',
  },
  SCAN_PHONE_REQUEST_REPLAYED: {
    kind: 'conflict',
    es: 'Esta solicitud ya se usó. Escanea el código de nuevo.',
    en: 'This request was already used. Scan the code again.',
  },
  SCAN_WRONG_PHONE: {
    kind: 'forbidden',
    es: 'Este no es el teléfono donde registraste tu llave de acceso. Marca tu asistencia desde tu propio teléfono; si cambiaste de teléfono, vuelve a vincularlo en «Registrar mi llave».',
    en: 'This is not the phone where your passkey was enrolled. Mark your attendance from your own phone; if you changed phones, link it again in "Enrol my passkey".',
  },
  SCAN_NETWORK_CHANGED: {
    kind: 'forbidden',
    es: 'La confirmación llegó desde otra red distinta a la del escaneo. Quédate en la misma red (por ejemplo, el wifi de la sala) y escanea otra vez.',
    en: 'The confirmation came from a different network than the scan. Stay on the same network (for example, the room wifi) and scan again.',
  },
  SCAN_DEVICE_NOT_ENROLLED: {
    kind: 'forbidden',
    es: 'Esta llave de acceso no está registrada. Registra tu teléfono en Asistencia antes de marcar asistencia.',
    en: 'This passkey is not enrolled. Enrol your phone in Asistencia before marking attendance.',
  },
  SCAN_DEVICE_REVOKED: {
    kind: 'forbidden',
    es: 'Esta llave de acceso fue revocada. Registra de nuevo tu teléfono o habla con administración.',
    en: 'This passkey was revoked. Enrol your phone again or talk to an administrator.',
  },
  SCAN_DEVICE_FLAGGED: {
    kind: 'forbidden',
    es: 'Esta llave de acceso está bloqueada por seguridad. Habla con administración; para la clase de hoy, pide a tu docente que registre tu asistencia.',
    en: "This passkey is blocked for security reasons. Talk to an administrator; for today's class, ask your teacher to record your attendance.",
  },
  SCAN_COUNTER_REGRESSED: {
    kind: 'forbidden',
    es: 'La llave de acceso parece clonada y quedó bloqueada. Habla con administración.',
    en: 'The passkey looks cloned and has been blocked. Talk to an administrator.',
  },
  SCAN_USER_VERIFICATION_REQUIRED: {
    kind: 'invalid',
    es: 'Confirma con tu huella, rostro o PIN del teléfono.',
    en: 'Confirm with your fingerprint, face or phone PIN.',
  },
  SCAN_ASSERTION_INVALID: {
    kind: 'invalid',
    es: 'No se pudo verificar la llave de acceso. Escanea el código de nuevo.',
    en: 'The passkey could not be verified. Scan the code again.',
  },
  SCAN_NETWORK_REFUSED: {
    kind: 'forbidden',
    es: 'Esta sesión solo acepta confirmaciones desde la red del campus. Conéctate al wifi de la universidad.',
    en: 'This session only accepts confirmations from the campus network. Join the university wifi.',
  },
  SCAN_DEVICE_SHARED: {
    kind: 'forbidden',
    es: 'Tu llave se está usando desde otro lugar o al mismo tiempo en otro teléfono, y tu institución no lo permite. Si este es tu teléfono, pide a tu docente que registre tu asistencia; administración revisará el dispositivo.',
    en: 'Your passkey is being used from another place, or at the same moment on another phone, and your institution does not allow it. If this is your phone, ask your teacher to record your attendance; an administrator will review the device.',
  },
});
