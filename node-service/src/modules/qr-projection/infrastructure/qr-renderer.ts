import QRCode from 'qrcode';
import type { QrRenderer } from '../application/ports.js';

/**
 * SVG scales to any screen without blur. Error correction M with a one-module quiet zone keeps the code to
 * few, large modules (a short URL fits version 4–5), which is what scans from the back of a lecture hall.
 */
export function createQrRenderer(): QrRenderer {
  return {
    svg: (text) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
  };
}
