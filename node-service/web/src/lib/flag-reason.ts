// Why a device is blocked, as the service stores it: a code when the service blocked it itself (shown in the
// reader's language), or the words an admin or operator typed (shown as written).
import type { Lang } from './i18n';

const SYSTEM_REASONS: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  sign_counter_backwards: {
    es: 'su contador de firmas retrocedió: la llave de acceso pudo haberse copiado a otro dispositivo',
    en: 'its signature counter went backwards: the passkey may have been copied to another device',
  },
};
/** Rows written before the service stored a code. */
const LEGACY: Readonly<Record<string, string>> = { 'sign counter went backwards': 'sign_counter_backwards' };

export function flagReasonText(reason: string | null, lang: Lang): string {
  if (reason === null) return '';
  const known = SYSTEM_REASONS[LEGACY[reason] ?? reason];
  return known ? known[lang] : reason;
}
