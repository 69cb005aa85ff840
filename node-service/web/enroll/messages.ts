import { defineMessages } from '../src/lib/i18n';

export const messages = defineMessages(
  {
    'enroll.title': 'Registrar mi llave de acceso · Asistencia',
    'enroll.heading': 'Registrar mi llave de acceso',
    'enroll.what':
      'Una llave de acceso es una credencial que se guarda en tu teléfono y se desbloquea con tu huella, tu cara o el PIN de la pantalla: así confirmas que eres tú quien está en clase, sin contraseña y sin que nadie pueda copiarla.',
    'enroll.for': 'Registrando para {name}.',
    'enroll.button': 'Registrar mi llave de acceso',
    'enroll.working': 'Sigue las indicaciones del teléfono…',
    'enroll.success': 'Listo: tu llave de acceso quedó registrada como «{name}». Ya puedes confirmar tu asistencia en clase.',
    'enroll.limit':
      'Ya tienes {count} de {max} dispositivos permitidos. Para usar otro teléfono, revoca primero el que ya no uses.',
    'enroll.cooldown':
      'Por seguridad hay una espera entre un registro y otro: podrás registrar otro dispositivo a partir del {at}. Para la clase de hoy, pide a tu docente que registre tu asistencia. Si perdiste el teléfono y no puedes esperar, pide a administración que restablezca tu registro.',
    'enroll.notStudent': 'Esta página es para estudiantes. Tu perfil es {role}.',
    'enroll.defaultName': 'Llave de acceso ({platform})',
    'enroll.defaultNamePlain': 'Llave de acceso',
    'fail.unsupported':
      'Este navegador no admite llaves de acceso. Abre esta página en Chrome, Safari o Edge actualizados en tu teléfono.',
    'fail.notAllowed':
      'Se canceló el registro o el teléfono no pudo verificarte (huella, cara o PIN). Comprueba que el bloqueo de pantalla está activado y vuelve a intentarlo.',
    'fail.alreadyRegistered': 'Este teléfono ya tiene una llave de acceso registrada para ti; no hace falta registrarla otra vez.',
    'fail.noDiscoverable': 'Este dispositivo no puede guardar llaves de acceso. Usa un teléfono con Android 9 o iOS 16 o posterior.',
    'fail.noVerification':
      'Este dispositivo no puede verificar tu identidad (huella, cara o PIN). Activa el bloqueo de pantalla y vuelve a intentarlo.',
    'fail.domain': 'Esta dirección no permite crear llaves de acceso. Entra a Asistencia desde el portal de la universidad.',
    'fail.browser': 'El teléfono no pudo crear la llave de acceso ({detail}). Vuelve a intentarlo.',
    'enroll.browserHint':
      'Registra tu llave en el navegador que se abre cuando la cámara del teléfono lee un código QR (el navegador predeterminado): ahí es donde la página de escaneo buscará la llave de este teléfono. Cada llave queda unida a este teléfono: no sirve para marcar asistencia desde otro.',
    'rebind.heading': 'Vincular este teléfono',
    'rebind.lead':
      'Tu llave de acceso está registrada, pero este navegador no tiene la llave del teléfono (borraste los datos del sitio, cambiaste de navegador o registraste la llave antes). Vincúlalo para poder marcar asistencia desde aquí.',
    'rebind.button': 'Vincular este teléfono',
    'rebind.success': 'Listo: este teléfono quedó vinculado a tu llave «{name}». Ya puedes escanear el código de la clase.',
    'rebind.back': 'Volver a escanear',
    'fail.phoneKey':
      'Este navegador no pudo guardar la llave del teléfono. Abre esta página en el navegador principal del teléfono, fuera del modo incógnito, y vuelve a intentarlo.',
    'devices.phoneBound': 'Vinculado a un teléfono desde el {at}',
    'devices.phoneUnbound': 'Sin teléfono vinculado: vincúlalo para marcar asistencia',
    'devices.heading': 'Mis dispositivos',
    'devices.none': 'Aún no tienes ningún dispositivo registrado.',
    'devices.enrolled': 'Registrado el {at}',
    'devices.lastUsed': 'Último uso: {at}',
    'devices.neverUsed': 'Aún no se ha usado',
    'devices.revokedAt': 'Revocado el {at}: {reason}',
    'devices.flagged': 'En revisión: {reason}',
    'state.active': 'Activo',
    'state.flagged': 'En revisión',
    'state.revoked': 'Revocado',
    'devices.rename': 'Cambiar nombre',
    'devices.revoke': 'Revocar',
    'devices.nameLabel': 'Nuevo nombre',
    'devices.save': 'Guardar',
    'devices.cancel': 'Cancelar',
    'devices.reasonLabel': 'Motivo (por ejemplo: perdí el teléfono)',
    'devices.confirmRevoke': 'Revocar definitivamente',
    'devices.renamed': 'Nombre cambiado a «{name}».',
    'devices.revokedDone': 'El dispositivo «{name}» quedó revocado: ya no sirve para confirmar asistencia.',
  },
  {
    'enroll.title': 'Enrol my passkey · Asistencia',
    'enroll.heading': 'Enrol my passkey',
    'enroll.what':
      'A passkey is a credential kept on your phone and unlocked with your fingerprint, face or screen PIN: it is how you prove it is you in class, with no password and no way for anyone to copy it.',
    'enroll.for': 'Enrolling for {name}.',
    'enroll.button': 'Enrol my passkey',
    'enroll.working': 'Follow the prompts on your phone…',
    'enroll.success': 'Done: your passkey is enrolled as “{name}”. You can now confirm your attendance in class.',
    'enroll.limit': 'You already have {count} of {max} allowed devices. To use another phone, first revoke the one you no longer use.',
    'enroll.cooldown':
      'For security there is a wait between one enrolment and the next: you can enrol another device from {at}. For today’s class, ask your teacher to record your attendance. If you lost your phone and cannot wait, ask an administrator to reset your enrolment.',
    'enroll.notStudent': 'This page is for students. Your role is {role}.',
    'enroll.defaultName': 'Passkey ({platform})',
    'enroll.defaultNamePlain': 'Passkey',
    'fail.unsupported': 'This browser does not support passkeys. Open this page in an up-to-date Chrome, Safari or Edge on your phone.',
    'fail.notAllowed':
      'The enrolment was cancelled or your phone could not verify you (fingerprint, face or PIN). Check that the screen lock is on and try again.',
    'fail.alreadyRegistered': 'This phone already holds a passkey enrolled for you; there is no need to enrol it again.',
    'fail.noDiscoverable': 'This device cannot store passkeys. Use a phone with Android 9 or iOS 16 or later.',
    'fail.noVerification': 'This device cannot verify your identity (fingerprint, face or PIN). Turn on the screen lock and try again.',
    'fail.domain': 'This address cannot create passkeys. Open Asistencia from the university portal.',
    'fail.browser': 'Your phone could not create the passkey ({detail}). Try again.',
    'enroll.browserHint':
      "Enrol in the browser that opens when your phone's camera reads a QR code (the default browser): that is where the scan page will look for this phone's key. Each passkey is tied to this phone: it cannot mark attendance from another one.",
    'rebind.heading': 'Link this phone',
    'rebind.lead':
      "Your passkey is enrolled, but this browser does not hold the phone key (you cleared the site's data, changed browsers or enrolled before phone keys). Link it to mark attendance from here.",
    'rebind.button': 'Link this phone',
    'rebind.success': 'Done: this phone is linked to your passkey “{name}”. You can now scan the class code.',
    'rebind.back': 'Back to scanning',
    'fail.phoneKey':
      "This browser could not keep the phone key. Open this page in your phone's main browser, outside private mode, and try again.",
    'devices.phoneBound': 'Linked to a phone since {at}',
    'devices.phoneUnbound': 'No phone linked: link it to mark attendance',
    'devices.heading': 'My devices',
    'devices.none': 'You have no enrolled devices yet.',
    'devices.enrolled': 'Enrolled on {at}',
    'devices.lastUsed': 'Last used: {at}',
    'devices.neverUsed': 'Not used yet',
    'devices.revokedAt': 'Revoked on {at}: {reason}',
    'devices.flagged': 'Under review: {reason}',
    'state.active': 'Active',
    'state.flagged': 'Under review',
    'state.revoked': 'Revoked',
    'devices.rename': 'Rename',
    'devices.revoke': 'Revoke',
    'devices.nameLabel': 'New name',
    'devices.save': 'Save',
    'devices.cancel': 'Cancel',
    'devices.reasonLabel': 'Reason (for example: I lost my phone)',
    'devices.confirmRevoke': 'Revoke for good',
    'devices.renamed': 'Renamed to “{name}”.',
    'devices.revokedDone': 'The device “{name}” is revoked: it can no longer confirm attendance.',
  },
);

export type Key = keyof (typeof messages)['es'];
