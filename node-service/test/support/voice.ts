// One voice: every Spanish text a user reads says tú. What "usted" looks like in our messages, shared by
// the check of the service's catalogues (src/shared/voice.test.ts) and of the portal (test/portal/voice.test.ts).

// "usted" itself and formal imperatives with an attached pronoun (inténtelo, diríjase) are usted anywhere.
// A bare formal imperative (inicie, espere, abra…) is also the subjunctive of tú's sentences ("espera a que
// el docente inicie una ronda"), so it counts only where a sentence or a clause starts. Su, sus, ha and
// "no tiene" count only where a sentence starts (mid-sentence they speak of someone else: "revocar su
// llave"); the admin's pages name the student instead ("La llave de {name}…").
const ALWAYS = /\b(usted|ustedes|[Ii]nténtelo|[Tt]ermínela|[Áá]brala|[Dd]iríjase|[Aa]cérquese|[Rr]egístrese|[Cc]omuníquese)\b/u;
const VERBS = 'vuelva|inicie|pulse|indique|espere|hable|escanee|avise|abra|revoque|active|use|toque|pruebe|escriba|ingrese|recargue|intente|compruebe|verifique|seleccione|contacte|solicite|consulte|debe|pida|registre|revise';
const capitalised = VERBS.split('|').map((verb) => verb[0]!.toUpperCase() + verb.slice(1)).join('|');
const SENTENCE_START = new RegExp(`(^|[.;:?!¿¡] )(${capitalised}|Su|Sus|Ha|No tiene)\\b`, 'u');
const AFTER_COMMA = new RegExp(`, (${VERBS})\\b`, 'u');

/** The usted forms found in a text, or [] when it says tú (placeholders such as {active} are names, not words). */
export function ustedIn(text: string): string[] {
  const plain = text.replace(/\{\w+\}/g, '…');
  return [ALWAYS, SENTENCE_START, AFTER_COMMA].flatMap((pattern) => [...plain.matchAll(new RegExp(pattern.source, `g${pattern.flags}`))].map((match) => match[0].replace(/^[.;:?!,¿¡]? ?/u, '')));
}
