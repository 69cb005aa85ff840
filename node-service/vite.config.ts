import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { basePathFrom } from './src/shared/base-path.js';

// BASE_PATH, as the service reads it: the pages are built for the path the service serves them on.
const BASE_PATH = basePathFrom(process.env);
const webRoot = fileURLToPath(new URL('./web/', import.meta.url));

// Every page is a folder under web/ holding index.html and its main.ts; '' is the landing page.
// Adding a page is adding its folder name here.
const pages = ['', 'dev', 'teacher', 'projector', 'enroll', 'scan', 'student', 'admin', 'calendar', 'report'];

// Where `vite` (the dev server, port 9504) forwards everything that is not a page: the Node service.
const serviceOrigin = process.env['VITE_SERVICE_ORIGIN'] ?? 'http://127.0.0.1:9503';
const servicePaths = ['api', 'client-config', 'dev/users', 'dev/sign-in', 'dev/sign-out', 'dev/token'].map((path) => `${BASE_PATH}/${path}`);

/**
 * `<!-- include: name -->` in a page becomes web/src/partials/name.html: one head, header and footer for all.
 * Applied before Vite reads the page ('pre'), so the shared stylesheet a partial links is bundled as well.
 */
function partials(): Plugin {
  return {
    name: 'asistencia-partials',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) =>
        html.replace(/^ *<!-- include: ([\w-]+) -->\n/gm, (_line, name: string) =>
          readFileSync(resolve(webRoot, 'src/partials', `${name}.html`), 'utf8'),
        ),
    },
  };
}

export default defineConfig({
  root: webRoot,
  plugins: [partials()],
  // The pages read it back as import.meta.env.BASE_URL (web/src/lib/api.ts: basePath).
  base: `${BASE_PATH}/`,
  build: {
    outDir: resolve(webRoot, '../dist/web'),
    emptyOutDir: true,
    rolldownOptions: {
      input: Object.fromEntries(pages.map((page) => [page || 'landing', resolve(webRoot, page, 'index.html')])),
    },
  },
  server: {
    port: 9504,
    strictPort: true,
    proxy: {
      ...Object.fromEntries(servicePaths.map((path) => [path, { target: serviceOrigin }])),
      [`${BASE_PATH}/ws`]: { target: serviceOrigin, ws: true },
    },
  },
});
