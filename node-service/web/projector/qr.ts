import QRCode from 'qrcode';

/**
 * The projector draws its own code from the frame's URL: the service sends a few hundred bytes per frame
 * instead of a picture, and spends no time drawing (picking the QR mask and writing the SVG was 85 % of its
 * CPU with a thousand sessions projected: docs/benchmarks.md, the 5,000-session line).
 *
 * Error correction M with a one-module quiet zone keeps the code to few, large modules (a scan URL fits
 * version 4–6), which is what scans from the back of a lecture hall; one byte-mode segment is the version
 * the library's segment optimiser would pick for a URL. SVG scales to any screen without blur.
 */
export function qrMarkup(url: string): Promise<string> {
  return QRCode.toString([{ data: new TextEncoder().encode(url), mode: 'byte' }], { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}
