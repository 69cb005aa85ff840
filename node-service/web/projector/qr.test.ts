import { describe, expect, it } from 'vitest';
import { qrMarkup } from './qr';

describe('the projector page draws its code', () => {
  it('as an SVG of the URL in one byte segment, error correction M, one module of quiet zone', async () => {
    const url = `https://asistencia.example.cl/asistencia/scan/#${'x'.repeat(22)}`;
    const markup = await qrMarkup(url);
    // 69 bytes: version 5 at level M (37 modules; level L would fit version 4, 33), plus one module each side.
    expect(markup).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 39 39"/);
  });

  it('differs for every token (the picture follows the URL)', async () => {
    const [a, b] = await Promise.all([qrMarkup('https://a.example/asistencia/scan/#one'), qrMarkup('https://a.example/asistencia/scan/#two')]);
    expect(a).not.toBe(b);
  });
});
