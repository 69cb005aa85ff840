import { describe, expect, it } from 'vitest';
import { flagReasonText } from './flag-reason';

describe('flagReasonText', () => {
  it('says the service’s own reason in the reader’s language, old rows included', () => {
    expect(flagReasonText('sign_counter_backwards', 'es')).toMatch(/^su contador de firmas retrocedió/);
    expect(flagReasonText('sign counter went backwards', 'es')).toMatch(/^su contador de firmas retrocedió/);
    expect(flagReasonText('sign_counter_backwards', 'en')).toMatch(/^its signature counter went backwards/);
  });

  it('shows an admin’s own words as written', () => {
    expect(flagReasonText('Teléfono reportado como robado', 'en')).toBe('Teléfono reportado como robado');
    expect(flagReasonText(null, 'es')).toBe('');
  });
});
