import { defineErrors } from '../../../shared/errors.js';

export const attendanceErrors = defineErrors({
  SESSION_NOT_FOUND: {
    kind: 'not_found',
    es: 'La sesión de clase no existe.',
    en: 'The class session does not exist.',
  },
  SESSION_NOT_YOURS: {
    kind: 'forbidden',
    es: 'Solo el docente de esta sesión (o un administrador) puede hacer esto.',
    en: 'Only this session’s teacher (or an admin) can do this.',
  },
  SESSION_COURSE_NOT_YOURS: {
    kind: 'forbidden',
    es: 'No dictas el curso {courseId}.',
    en: 'You do not teach course {courseId}.',
  },
  SESSION_ALREADY_OPEN: {
    kind: 'conflict',
    es: 'La sesión ya está abierta.',
    en: 'The session is already open.',
  },
  SESSION_NOT_OPEN: {
    kind: 'conflict',
    es: 'Abre la sesión antes de iniciar una ronda.',
    en: 'Open the session before starting a round.',
  },
  SESSION_CLOSED: {
    kind: 'conflict',
    es: 'La sesión está cerrada; ya no admite cambios.',
    en: 'The session is closed; it no longer accepts changes.',
  },
  ROUND_ALREADY_OPEN: {
    kind: 'conflict',
    es: 'Ya hay una ronda en curso (ronda {round}). Termínala antes de iniciar otra.',
    en: 'Round {round} is already running. End it before starting another.',
  },
  ROUND_NOT_OPEN: {
    kind: 'conflict',
    es: 'No hay ninguna ronda en curso.',
    en: 'No round is running.',
  },
  ROUNDS_EXHAUSTED: {
    kind: 'conflict',
    es: 'Ya se hicieron las {planned} rondas previstas para esta sesión.',
    en: 'All {planned} planned rounds of this session have been run.',
  },
  SESSION_INVALID_TIMES: {
    kind: 'invalid',
    es: 'La hora de término debe ser posterior a la de inicio.',
    en: 'The end time must be after the start time.',
  },
  SESSION_INVALID_GRACE: {
    kind: 'invalid',
    es: 'El margen de gracia no puede superar el periodo de rotación ({period} ms).',
    en: 'The grace cannot exceed the rotation period ({period} ms).',
  },
  SESSION_NOT_EDITABLE: {
    kind: 'conflict',
    es: 'Esta sesión ya se abrió: ya no puedes cambiar su sala, su horario ni sus rondas.',
    en: 'This session has already been opened: its room, times and rounds can no longer be changed.',
  },
  SESSION_NOT_DELETABLE: {
    kind: 'conflict',
    es: 'Esta sesión ya se abrió y guarda asistencia: no se puede eliminar. Si no hubo clase, ciérrala.',
    en: 'This session has already been opened and holds attendance: it cannot be deleted. If there was no class, close it.',
  },
  SESSION_EDIT_EMPTY: {
    kind: 'invalid',
    es: 'Indica al menos un cambio: sala, horario o rondas.',
    en: 'Give at least one change: room, times or rounds.',
  },
  SESSION_LIST_INVALID_RANGE: {
    kind: 'invalid',
    es: 'La fecha «hasta» ({to}) no puede ser anterior a la fecha «desde» ({from}).',
    en: 'The “to” date ({to}) cannot be before the “from” date ({from}).',
  },
  SERIES_INVALID_DATES: {
    kind: 'invalid',
    es: 'La fecha final ({until}) no puede ser anterior a la primera ({first}).',
    en: 'The last date ({until}) cannot be before the first ({first}).',
  },
  SERIES_EMPTY: {
    kind: 'invalid',
    es: 'Entre el {first} y el {until} no cae ninguno de los días elegidos: la serie no tendría clases.',
    en: 'None of the chosen days falls between {first} and {until}: the series would have no classes.',
  },
  SERIES_TOO_MANY: {
    kind: 'invalid',
    es: 'La serie tendría {count} clases y el máximo es {max}. Elige una fecha final más cercana o menos días.',
    en: 'The series would have {count} classes and the maximum is {max}. Choose an earlier last date or fewer days.',
  },
  SERIES_ALL_SKIPPED: {
    kind: 'invalid',
    es: 'Todas las clases de la serie caen en feriados o recesos ({skipped} fechas omitidas): no se creó nada.',
    en: 'Every class of the series falls on a holiday or a recess ({skipped} dates skipped): nothing was created.',
  },
  SERIES_NOT_FOUND: {
    kind: 'not_found',
    es: 'La serie no existe o ya no tiene clases.',
    en: 'The series does not exist or has no classes left.',
  },
  SERIES_FROM_NOT_IN_SERIES: {
    kind: 'invalid',
    es: 'La clase indicada en «desde» no pertenece a esta serie.',
    en: 'The class given as "from" does not belong to this series.',
  },
  TIMETABLE_INVALID: {
    kind: 'invalid',
    es: 'El horario tiene {count} filas con errores; corrígelas y vuelve a importar. No se importó ninguna clase.',
    en: 'The timetable has {count} rows with errors; fix them and import again. No class was imported.',
  },
  TIMETABLE_TOO_LARGE: {
    kind: 'too_large',
    es: 'El horario pesa {bytes} bytes y el máximo es {max}; divídelo en varios archivos.',
    en: 'The timetable is {bytes} bytes and the maximum is {max}; split it into several files.',
  },
  HOLIDAY_NOT_FOUND: {
    kind: 'not_found',
    es: 'No hay ningún feriado el {date}.',
    en: 'There is no holiday on {date}.',
  },
  SESSION_INVALID_PERIOD: {
    kind: 'invalid',
    es: 'El periodo de rotación debe estar entre {min} y {max} ms.',
    en: 'The rotation period must be between {min} and {max} ms.',
  },
});

/** Refusals a student sees at scan time: each says what happened and what to do. */
export const confirmationErrors = defineErrors({
  SCAN_SESSION_CLOSED: {
    kind: 'conflict',
    es: 'La sesión de clase ya se cerró: no se puede registrar asistencia.',
    en: 'The class session is closed: attendance can no longer be recorded.',
  },
  SCAN_ROUND_NOT_OPEN: {
    kind: 'conflict',
    es: 'Esa ronda ya terminó. Escanea el código que está en pantalla ahora.',
    en: 'That round has ended. Scan the code on the screen now.',
  },
  SCAN_NOT_ON_ROSTER: {
    kind: 'forbidden',
    es: 'No figuras en la lista de este curso. Habla con tu docente.',
    en: 'You are not on this course’s roster. Talk to your teacher.',
  },
});

export const reportErrors = defineErrors({
  WALK_IN_NOT_FOUND: {
    kind: 'not_found',
    es: 'Ese estudiante no está en la sesión como asistente fuera de lista.',
    en: 'That student is not in the session as a walk-in.',
  },
  CORRECTION_STUDENT_ERASED: {
    kind: 'conflict',
    es: 'Ese estudiante fue eliminado a su pedido: su asistencia queda como estaba y ya no se corrige.',
    en: 'That student was erased at their request: their attendance stays as it was and is no longer corrected.',
  },
  CORRECTION_NOT_REGISTERED: {
    kind: 'not_found',
    es: 'Ese estudiante no está registrado en la sesión (ábrela primero).',
    en: 'That student is not registered in the session (open it first).',
  },
  COURSE_NOT_YOURS: {
    kind: 'forbidden',
    es: 'No dictas el curso {courseId}.',
    en: 'You do not teach course {courseId}.',
  },
});

export const spotCheckErrors = defineErrors({
  SPOT_CHECK_NOT_STARTED: {
    kind: 'conflict',
    es: 'Inicia una ronda antes de llamar al azar: solo se llama a quienes confirmaron.',
    en: 'Start a round before calling at random: only students who confirmed are called.',
  },
  SPOT_CHECK_NOBODY: {
    kind: 'conflict',
    es: 'Nadie más ha confirmado todavía: no hay a quién llamar. Vuelve a intentarlo cuando confirmen.',
    en: 'Nobody else has confirmed yet: there is no one to call. Try again once students confirm.',
  },
  SPOT_CHECK_NOT_FOUND: {
    kind: 'not_found',
    es: 'Ese estudiante no fue llamado en esa comprobación de esta sesión.',
    en: 'That student was not called in that check of this session.',
  },
  SPOT_CHECK_REASON_REQUIRED: {
    kind: 'invalid',
    es: 'Escribe un motivo (al menos 3 caracteres): queda registrado junto a tu nombre.',
    en: 'Write a reason (at least 3 characters): it is recorded with your name.',
  },
});

export const justificationErrors = defineErrors({
  JUSTIFICATION_SESSION_NOT_YOURS: {
    kind: 'not_found',
    es: 'No figuras en esa clase: solo puedes justificar tus propias ausencias.',
    en: 'You are not in that class: you can only justify your own absences.',
  },
  JUSTIFICATION_CLASS_RUNNING: {
    kind: 'conflict',
    es: 'La clase aún no termina: podrás justificar la ausencia cuando tu docente la cierre.',
    en: 'The class has not ended yet: you can justify the absence once your teacher closes it.',
  },
  JUSTIFICATION_NOT_ABSENT: {
    kind: 'conflict',
    es: 'En esa clase no figuras ausente: no hay nada que justificar.',
    en: 'You are not absent from that class: there is nothing to justify.',
  },
  JUSTIFICATION_ALREADY_PENDING: {
    kind: 'conflict',
    es: 'Ya pediste justificar esa clase y tu docente aún no responde. Espera su respuesta.',
    en: 'You already asked to justify that class and your teacher has not answered yet. Wait for the answer.',
  },
  JUSTIFICATION_TOO_LATE: {
    kind: 'conflict',
    es: 'Las ausencias se justifican hasta {days} días después de la clase. Habla con tu docente.',
    en: 'Absences may be justified up to {days} days after the class. Talk to your teacher.',
  },
  JUSTIFICATION_ATTACHMENT_TOO_LARGE: {
    kind: 'too_large',
    es: 'El documento pesa {size}; el máximo es {max}. Envía una versión más liviana (por ejemplo, una foto o un PDF comprimido).',
    en: 'The document is {size}; the most allowed is {max}. Send a lighter version (a photo or a compressed PDF, say).',
  },
  JUSTIFICATION_ATTACHMENT_TYPE: {
    kind: 'invalid',
    es: 'El documento debe ser un PDF, una imagen JPEG o una imagen PNG.',
    en: 'The document must be a PDF, a JPEG image or a PNG image.',
  },
  JUSTIFICATION_NOT_FOUND: {
    kind: 'not_found',
    es: 'Esa solicitud de justificación no existe.',
    en: 'That justification request does not exist.',
  },
  JUSTIFICATION_NOT_YOURS: {
    kind: 'forbidden',
    es: 'Solo el docente de esa clase (o un administrador) decide esta solicitud.',
    en: 'Only that class’s teacher (or an admin) decides this request.',
  },
  JUSTIFICATION_ALREADY_DECIDED: {
    kind: 'conflict',
    es: 'Esa solicitud ya fue decidida.',
    en: 'That request has already been decided.',
  },
  JUSTIFICATION_NO_ATTACHMENT: {
    kind: 'not_found',
    es: 'Esa solicitud no trae documento.',
    en: 'That request has no document.',
  },
});
