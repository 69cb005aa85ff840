import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { svgOf } from './qr-renderer.js';

/** What the library's own SVG renderer writes for the same symbol: the projector page shows exactly this. */
const librarySvg = (text: string) =>
  QRCode.toString([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });

describe('QR renderer', () => {
  it('writes the SVG the library writes, byte for byte, for scan URLs of every length the service makes', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 200; i++) {
      const token = Array.from({ length: 10 + Math.floor(random() * 150) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const url = `https://asistencia.example.cl/asistencia/scan#${token}`;
      expect(svgOf(url)).toBe(await librarySvg(url));
    }
  });

  it('writes a large symbol whole, past its first buffer (version 40)', async () => {
    const text = 'x'.repeat(2000);
    expect(svgOf(text)).toBe(await librarySvg(text));
    expect(svgOf('short')).toBe(await librarySvg('short'));
  });
});
