import QRCode from 'qrcode';

/**
 * For projector pages from before the page drew its own code (projector-hub.ts `picture`): the same picture
 * the page draws now (web/projector/qr.ts): error correction M, a one-module quiet zone, one byte-mode
 * segment.
 *
 * The library makes the symbol; the SVG is written here, byte for byte what the library's own SVG renderer
 * writes (a test compares them), into one reused buffer read out as one string. The library's renderer
 * builds its path by appending a few characters at a time: some 30 KB of short-lived strings per code,
 * which with a thousand sessions rotating was most of what the service allocated and kept V8's heap, and
 * so the RSS, large (docs/benchmarks.md, the projector's memory).
 */
const QUIET_ZONE = 1;
let scratch = Buffer.alloc(8192);
let length = 0;

function put(text: string): void {
  if (length + text.length > scratch.length) grow(text.length);
  length += scratch.write(text, length, 'latin1');
}

function putNumber(n: number): void {
  put(String(n));
}

function grow(needed: number): void {
  const larger = Buffer.alloc(Math.max(scratch.length * 2, length + needed));
  scratch.copy(larger, 0, 0, length);
  scratch = larger;
}

/** Each row's runs of dark modules as strokes half a module down: M to a row's first run, m between runs (relative), h for a run's length. */
function writePath(data: Uint8Array, size: number): void {
  for (let row = 0; row < size; row++) {
    let end = -1;
    for (let col = 0; col < size; col++) {
      if (!data[row * size + col]) continue;
      let run = 1;
      while (col + run < size && data[row * size + col + run]) run++;
      if (end < 0) {
        put('M');
        putNumber(col + QUIET_ZONE);
        put(' ');
        putNumber(row + QUIET_ZONE + 0.5);
      } else {
        put('m');
        putNumber(col - end);
        put(' 0');
      }
      put('h');
      putNumber(run);
      end = col + run;
      col = end;
    }
  }
}

export function svgOf(text: string): string {
  const symbol = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M' });
  const { size, data } = symbol.modules;
  const outer = size + QUIET_ZONE * 2;
  length = 0;
  put(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${outer} ${outer}" shape-rendering="crispEdges">`);
  put(`<path fill="#ffffff" d="M0 0h${outer}v${outer}H0z"/><path stroke="#000000" d="`);
  writePath(data, size);
  put('"/></svg>\n');
  return scratch.toString('latin1', 0, length);
}
