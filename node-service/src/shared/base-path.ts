/**
 * Where the service lives behind the door: every route, the pages (Vite's `base`), the WebSocket and the
 * development sign-in hang under it. A plain constant with no imports, so the pages' build can import it too.
 */
export const BASE_PATH = '/asistencia';
