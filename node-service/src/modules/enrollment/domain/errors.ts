import { defineErrors } from '../../../shared/errors.js';

/**
 * Every refusal of the enrolment module, each with its own code: a page or a test can tell "expired" from
 * "already used" from "someone else's" without reading prose. Messages say what to do next.
 */
export const enrollmentErrors = defineErrors({
  ENROLLMENT_CHALLENGE_EXPIRED: {
    kind: 'gone',
    es: 'La solicitud de registro caducó o no existe. Pulsa de nuevo el botón para registrar tu llave de acceso.',
    en: 'The enrolment request has expired or does not exist. Press the button again to enrol your passkey.',
  },
  ENROLLMENT_CHALLENGE_ALREADY_USED: {
    kind: 'conflict',
    es: 'Esta solicitud de registro ya se usó. Cada intento sirve una sola vez: vuelve a empezar.',
    en: 'This enrolment request has already been used. Each attempt works once: start again.',
  },
  ENROLLMENT_CHALLENGE_NOT_YOURS: {
    kind: 'forbidden',
    es: 'Esta solicitud de registro se emitió para otra cuenta. Inicia el registro desde tu propia sesión.',
    en: 'This enrolment request was issued to another account. Start the enrolment from your own session.',
  },
  ENROLLMENT_CHALLENGE_SUPERSEDED: {
    kind: 'conflict',
    es: 'Iniciaste otro registro después de este (¿en otra pestaña?). Usa el más reciente o vuelve a empezar.',
    en: 'You started another enrolment after this one (in another tab?). Use the latest one or start again.',
  },
  ENROLLMENT_WRONG_ORIGIN: {
    kind: 'invalid',
    es: 'La llave de acceso se creó en otro sitio ({origin}). Registra tu llave desde la página de Asistencia.',
    en: 'The passkey was created on another site ({origin}). Enrol your passkey from the Asistencia page.',
  },
  ENROLLMENT_WRONG_RP_ID: {
    kind: 'invalid',
    es: 'La llave de acceso pertenece a otro dominio. Registra tu llave desde la página de Asistencia.',
    en: 'The passkey belongs to another domain. Enrol your passkey from the Asistencia page.',
  },
  ENROLLMENT_USER_NOT_PRESENT: {
    kind: 'invalid',
    es: 'El dispositivo no confirmó que estuvieras presente. Vuelve a intentarlo y toca el sensor cuando se te pida.',
    en: 'The device did not confirm you were present. Try again and touch the sensor when asked.',
  },
  ENROLLMENT_USER_NOT_VERIFIED: {
    kind: 'invalid',
    es: 'El dispositivo no verificó tu identidad (huella, cara o PIN). Activa el bloqueo de pantalla del teléfono y vuelve a intentarlo.',
    en: 'The device did not verify your identity (fingerprint, face or PIN). Turn on your phone screen lock and try again.',
  },
  ENROLLMENT_RESPONSE_MALFORMED: {
    kind: 'invalid',
    es: 'La respuesta del dispositivo no se pudo leer. Vuelve a intentarlo; si sigue fallando, prueba con otro navegador.',
    en: 'The device response could not be read. Try again; if it keeps failing, try another browser.',
  },
  ENROLLMENT_RESPONSE_INVALID: {
    kind: 'invalid',
    es: 'La respuesta del dispositivo no superó la verificación. Vuelve a intentarlo; si sigue fallando, prueba con otro dispositivo.',
    en: 'The device response failed verification. Try again; if it keeps failing, try another device.',
  },
  ENROLLMENT_AUTHENTICATOR_NOT_ALLOWED: {
    kind: 'forbidden',
    es: 'Este tipo de dispositivo ({aaguid}) no está admitido. Usa el teléfono o la llave que te indicó la universidad.',
    en: 'This kind of device ({aaguid}) is not accepted. Use the phone or security key the university told you to use.',
  },
  ENROLLMENT_AUTHENTICATOR_UNPROVEN: {
    kind: 'forbidden',
    es: 'La universidad admite solo ciertos modelos de teléfono o llave, y este dispositivo no demostró el suyo: sin una certificación de hardware verificada, el modelo que declara un dispositivo no cuenta. Usa el teléfono o la llave de seguridad que te indicó la universidad.',
    en: 'The university accepts only certain phone or key models, and this device did not prove its model: without a verified hardware attestation, the model a device claims does not count. Use the phone or security key the university told you to use.',
  },
  ENROLLMENT_ATTESTATION_REQUIRED: {
    kind: 'forbidden',
    es: 'Tu institución exige una llave de acceso con certificación de hardware verificada, y esta no la trae (las llaves sincronizadas en la nube, como las de iCloud o del Administrador de contraseñas de Google, no la traen). Sirven: un teléfono Android con una llave de acceso guardada solo en ese teléfono, una llave de seguridad (USB o NFC) de un fabricante que admita la universidad, o un iPhone administrado por la universidad. Si no tienes ninguno, pide ayuda a administración.',
    en: 'Your institution requires a passkey with a verified hardware attestation, and this one has none (passkeys synced to the cloud, such as iCloud Keychain or Google Password Manager, carry none). These work: an Android phone with a passkey kept only on that phone, a security key (USB or NFC) from a maker the university accepts, or an iPhone managed by the university. If you have none of them, ask an administrator for help.',
  },
  ENROLLMENT_DEVICE_LIMIT_REACHED: {
    kind: 'conflict',
    es: 'Ya tienes {active} dispositivo(s) activo(s) y el máximo es {max}. Revoca en esta página el que ya no uses (o pide ayuda a administración) y vuelve a registrar.',
    en: 'You already have {active} active device(s) and the maximum is {max}. Revoke the one you no longer use on this page (or ask an administrator), then enrol again.',
  },
  ENROLLMENT_COOLDOWN_ACTIVE: {
    kind: 'too_many',
    es: 'Registraste dispositivos hace poco y, por seguridad, hay una espera: podrás registrar otro a partir del {at} (dentro de {wait}). Para la clase de hoy, pide a tu docente que registre tu asistencia; si perdiste el teléfono y no puedes esperar, pide a administración que restablezca tu registro.',
    en: 'You enrolled devices recently and, for security, there is a wait: you can enrol another from {at} (in {wait}). For today’s class, ask your teacher to record your attendance; if you lost your phone and cannot wait, ask an administrator to reset your enrolment.',
  },
  ENROLLMENT_CREDENTIAL_ALREADY_ENROLLED: {
    kind: 'conflict',
    es: 'Esta llave de acceso ya está registrada. No hace falta registrarla otra vez.',
    en: 'This passkey is already enrolled. There is no need to enrol it again.',
  },
  ENROLLMENT_DEVICE_NOT_FOUND: {
    kind: 'not_found',
    es: 'No existe ese dispositivo.',
    en: 'There is no such device.',
  },
  ENROLLMENT_DEVICE_REVOKED: {
    kind: 'conflict',
    es: 'Ese dispositivo ya está revocado.',
    en: 'That device is already revoked.',
  },
  ENROLLMENT_DEVICE_NAME_INVALID: {
    kind: 'invalid',
    es: 'El nombre del dispositivo debe tener entre 1 y {max} caracteres.',
    en: 'The device name must be between 1 and {max} characters long.',
  },
  ENROLLMENT_REASON_REQUIRED: {
    kind: 'invalid',
    es: 'Indica el motivo (entre 3 y {max} caracteres).',
    en: 'Give a reason (between 3 and {max} characters).',
  },
  ENROLLMENT_STUDENT_ID_UNSUPPORTED: {
    kind: 'invalid',
    es: 'Tu identificador de usuario no se puede usar con llaves de acceso. Avisa a soporte.',
    en: 'Your user id cannot be used with passkeys. Tell support.',
  },
  ENROLLMENT_CREDENTIAL_PREFIX_TOO_SHORT: {
    kind: 'invalid',
    es: 'Indica al menos {min} caracteres del identificador de la credencial.',
    en: 'Give at least {min} characters of the credential id.',
  },
  ENROLLMENT_CREDENTIAL_PREFIX_AMBIGUOUS: {
    kind: 'conflict',
    es: 'Hay {count} dispositivos cuya credencial empieza por «{prefix}». Indica más caracteres.',
    en: '{count} devices have a credential starting with "{prefix}". Give more characters.',
  },
  ENROLLMENT_PHONE_KEY_INVALID: {
    kind: 'invalid',
    es: 'La llave del teléfono no es válida o su firma no corresponde. Recarga la página y vuelve a intentarlo.',
    en: 'The phone key is not valid or its signature does not match. Reload the page and try again.',
  },
  ENROLLMENT_PHONE_SHARED: {
    kind: 'conflict',
    es: 'Este teléfono ya está registrado para otro estudiante. Cada estudiante registra su llave en su propio teléfono. Si este teléfono es tuyo, pide a administración que lo revise.',
    en: 'This phone is already enrolled for another student. Each student enrols on their own phone. If this phone is yours, ask an administrator to look into it.',
  },
  ENROLLMENT_SYNCED_PASSKEY_REFUSED: {
    kind: 'invalid',
    es: 'Esta llave de acceso se sincroniza entre dispositivos y tu institución solo acepta llaves guardadas en el propio teléfono. Crea la llave en el teléfono sin guardarla en un gestor de contraseñas en la nube.',
    en: 'This passkey syncs across devices and your institution only accepts passkeys kept on the phone itself. Create the passkey on the phone without saving it to a cloud password manager.',
  },
  ENROLLMENT_REBIND_COOLDOWN_ACTIVE: {
    kind: 'too_many',
    es: 'Volviste a vincular este teléfono hace poco. Podrás hacerlo de nuevo a partir del {at} (dentro de {wait}). Para la clase de hoy, pide a tu docente que registre tu asistencia.',
    en: 'You re-linked this phone recently. You can do it again from {at} (in {wait}). For today\'s class, ask your teacher to record your attendance.',
  },
  ENROLLMENT_NOTHING_TO_REBIND: {
    kind: 'conflict',
    es: 'No tienes una llave de acceso activa que vincular. Registra una llave nueva en esta página.',
    en: 'You have no active passkey to link. Enrol a new passkey on this page.',
  },
  ENROLLMENT_REBIND_ASSERTION_INVALID: {
    kind: 'invalid',
    es: 'No se pudo comprobar tu llave de acceso. Usa la llave que registraste para tu cuenta y vuelve a intentarlo.',
    en: 'Your passkey could not be checked. Use the passkey you enrolled for your account and try again.',
  },
  ENROLLMENT_REBIND_LIMIT_REACHED: {
    kind: 'forbidden',
    es: 'Ya volviste a vincular este teléfono {count} vez/veces en los últimos 30 días, el máximo sin revisión. Pide a administración que lo revise; hasta entonces, pide a tu docente que registre tu asistencia.',
    en: 'You already re-linked this phone {count} time(s) in the last 30 days, the most allowed without a review. Ask an administrator to look into it; until then, ask your teacher to record your attendance.',
  },
  ENROLLMENT_PASSKEY_REQUIRED: {
    kind: 'forbidden',
    es: 'Para revocar un dispositivo hace falta su llave de acceso (huella, cara o PIN en ese teléfono), no solo la contraseña del portal. Si perdiste el teléfono, pide a administración que lo revoque.',
    en: 'Revoking a device needs its passkey (fingerprint, face or PIN on that phone), not just the portal password. If you lost the phone, ask an administrator to revoke it.',
  },
  ENROLLMENT_PASSKEY_REQUIRED_TO_ADD: {
    kind: 'forbidden',
    es: 'Ya tienes un dispositivo registrado: para registrar otro, confirma primero con la llave de acceso de uno de tus dispositivos (huella, cara o PIN en ese teléfono). Si los perdiste, pide a administración que los revoque.',
    en: 'You already have an enrolled device: to enrol another, first confirm with the passkey of one of your devices (fingerprint, face or PIN on that phone). If you lost them, ask an administrator to revoke them.',
  },
  ENROLLMENT_NO_DEVICE_YET: {
    kind: 'conflict',
    es: 'Aún no tienes ningún dispositivo registrado: registra el primero sin más.',
    en: 'You have no enrolled device yet: enrol your first one directly.',
  },
  ENROLLMENT_PASSKEY_INVALID: {
    kind: 'invalid',
    es: 'No se pudo comprobar la llave de acceso de ese dispositivo. Usa el teléfono donde la registraste y vuelve a intentarlo.',
    en: 'The passkey of that device could not be checked. Use the phone where you enrolled it and try again.',
  },
  ENROLLMENT_PASSKEY_NOT_THIS_DEVICE: {
    kind: 'forbidden',
    es: 'Esa llave de acceso no es la del dispositivo que quieres revocar. Usa el teléfono de ese dispositivo o pide a administración que lo revoque.',
    en: 'That passkey is not the one of the device you want to revoke. Use that device’s phone, or ask an administrator to revoke it.',
  },
  ENROLLMENT_REBIND_NOT_YOUR_PASSKEY: {
    kind: 'forbidden',
    es: 'Esa llave de acceso no es una de tus llaves activas. Usa la tuya, o registra una nueva si la perdiste.',
    en: 'That passkey is not one of your active passkeys. Use your own, or enrol a new one if you lost it.',
  },
});
