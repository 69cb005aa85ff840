// Teacher: "Mis sesiones" (list and create) or, with ?session=<id>, one session with its rounds and roster.
import { startPage } from '../src/lib/page';
import { messages } from './messages';
import { showSessionList } from './session-list';
import { showSession } from './session-view';

const page = startPage(messages);
const sessionId = new URLSearchParams(location.search).get('session');

if (sessionId) await showSession({ ...page, sessionId });
else await showSessionList(page);
