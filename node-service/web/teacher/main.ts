// Teacher: "Mis sesiones" (list and create) or, with ?session=<id>, one session with its rounds and roster.
import { startPage } from '../src/lib/page';
import { messages } from './messages';
import { showSessionList } from './session-list';
import { showSession } from './session-view';

const page = startPage(messages);
const sessionId = new URLSearchParams(location.search).get('session');
// Without the configuration (the service unreachable) the device's zone is the best guess; the pages say why.
const config = await page.api.config().catch(() => undefined);
const timeZone = config?.timeZone;

if (sessionId) await showSession({ ...page, sessionId, timeZone });
else await showSessionList({ ...page, timeZone, maxOccurrences: config?.sessionLimits?.seriesMaxOccurrences });
