// One voice: every Spanish text a user reads says tú. What "usted" looks like in our messages, shared by
// the check of the service's catalogues (src/shared/voice.test.ts) and of the portal (test/portal/voice.test.ts).

// Formal imperatives and usted forms. A few (debe, pida, registre, revise, su) are also subjunctives or
// third persons ("pide a tu docente que registre…", "revocar su llave"), so they count only where a
// sentence starts, as do "Ha …" and "No tiene …" with no subject.
const USTED =
  /\b(usted|ustedes|[Vv]uelva|[Ii]nicie|[Pp]ulse|[Ii]ndique|[Ee]spere|[Hh]able|[Ee]scanee|[Aa]vise|[Aa]bra|[Rr]evoque|[Aa]ctive|[Uu]se|[Tt]oque|[Pp]ruebe|[Tt]ermínela|ábrala|[Ee]scriba|[Ii]ngrese|[Rr]ecargue|[Ii]nténtelo|[Ii]ntente|[Cc]ompruebe|[Vv]erifique|[Ss]eleccione|[Cc]ontacte|[Ss]olicite|[Dd]iríjase|[Aa]cérquese|[Cc]onsulte|[Ii]mparte)\b|(^|[.;:¿¡] )(Debe|Pida|Registre|Revise|Su|Sus|Ha|No tiene|Tiene)\b/u;

/** The usted forms found in a text, or [] when it says tú (placeholders such as {active} are names, not words). */
export function ustedIn(text: string): string[] {
  const plain = text.replace(/\{\w+\}/g, '…');
  const global = new RegExp(USTED.source, 'gu');
  return [...plain.matchAll(global)].map((match) => match[0].trim());
}
