import type { AppError } from '../../../shared/errors.js';

/**
 * The few pages the tool shows by itself (a refused launch, the course picker of deep linking, the
 * return to the LMS, the end of a registration): small, server-made, Spanish first with English below,
 * since they may open inside an LMS before any Asistencia page has loaded.
 */
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
section+section{margin-top:2rem;padding-top:1rem;border-top:1px solid #ccc}button{font:inherit;padding:.5rem 1rem}
label{display:block;margin:.5rem 0}`;

function page(title: { es: string; en: string }, es: string, en: string, head = ''): string {
  return `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title.es)} · Asistencia</title><style>${STYLE}</style>${head}</head>
<body><main>
<section lang="es"><h1>${escape(title.es)}</h1>${es}</section>
<section lang="en"><h2>${escape(title.en)}</h2>${en}</section>
</main></body></html>`;
}

/** A refused launch or registration: what happened and what to do, in both languages. */
export function refusalPage(error: AppError): string {
  const title = { es: 'No se pudo abrir Asistencia', en: 'Asistencia could not be opened' };
  return page(
    title,
    `<p id="refusal" data-reason="${escape(error.code)}">${escape(error.localized('es'))}</p>`,
    `<p>${escape(error.localized('en'))}</p>`,
  );
}

/** Deep linking: the teacher chooses which Asistencia course this LMS course is. */
export function coursePickerPage(input: { action: string; request: string; courses: Array<{ id: string; name: string }>; contextTitle: string }): string {
  const options = input.courses
    .map((c, i) => `<label><input type="radio" name="courseId" value="${escape(c.id)}"${i === 0 ? ' checked' : ''}> ${escape(c.name)} (${escape(c.id)})</label>`)
    .join('');
  const form = (button: string) =>
    input.courses.length === 0
      ? ''
      : `<form method="post" action="${escape(input.action)}"><input type="hidden" name="request" value="${escape(input.request)}">${options}<button type="submit">${escape(button)}</button></form>`;
  return page(
    { es: 'Agregar Asistencia al curso', en: 'Add Asistencia to the course' },
    input.courses.length === 0
      ? '<p>Según el portal no enseñas ningún curso: no hay nada que vincular.</p>'
      : `<p>Elige el curso de Asistencia que corresponde a «${escape(input.contextTitle)}».</p>${form('Agregar')}`,
    input.courses.length === 0
      ? '<p>According to the portal you teach no course: there is nothing to link.</p>'
      : `<p>Choose the Asistencia course that «${escape(input.contextTitle)}» is (the form above).</p>`,
  );
}

/** The signed deep-linking response, posted back to the LMS by the teacher's click (no script needed). */
export function deepLinkReturnPage(input: { returnUrl: string; jwt: string }): string {
  return page(
    { es: 'Asistencia quedó vinculada', en: 'Asistencia is linked' },
    `<p>Vuelve al LMS para terminar de agregar la actividad.</p><form id="return" method="post" action="${escape(input.returnUrl)}"><input type="hidden" name="JWT" value="${escape(input.jwt)}"><button type="submit">Volver al LMS</button></form>`,
    '<p>Go back to the LMS to finish adding the activity (the button above: «Volver al LMS»).</p>',
  );
}

/** The end of Dynamic Registration: the LMS closes its window when told (§3.7, postMessage from close.js). */
export function registeredPage(input: { name: string; closeScript: string }): string {
  return page(
    { es: 'Asistencia quedó registrada', en: 'Asistencia is registered' },
    `<p>Asistencia quedó registrada en ${escape(input.name)}.</p><button id="close" type="button">Cerrar</button>`,
    `<p>Asistencia is registered in ${escape(input.name)}. Close this window with the button above («Cerrar»).</p>`,
    `<script src="${escape(input.closeScript)}" defer></script>`,
  );
}

/** Dynamic Registration §3.7: the tool tells the platform it is done. */
export const CLOSE_SCRIPT = `document.getElementById('close').addEventListener('click', function () {
  (window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
});
`;
