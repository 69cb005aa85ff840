// Teacher: "Mis sesiones" (list and create); with ?session=<id>, one session with its rounds and roster; with
// ?course=<id>, one course's minimum, students at risk and attendance per class.
import { startPage } from '../src/lib/page';
import { messages } from './messages';
import { showSessionList } from './session-list';
import { showSession } from './session-view';
import { showCourse } from './course-view';

const page = startPage(messages);
const sessionId = new URLSearchParams(location.search).get('session');
const courseId = new URLSearchParams(location.search).get('course');
// Without the configuration (the service unreachable) the device's zone is the best guess; the pages say why.
const config = await page.api.config().catch(() => undefined);
const timeZone = config?.timeZone;

if (sessionId) await showSession({ ...page, sessionId, timeZone, campusNetworks: config?.campusNetworks ?? [] });
else if (courseId) await showCourse({ ...page, courseId, timeZone });
else await showSessionList({ ...page, timeZone, maxOccurrences: config?.sessionLimits?.seriesMaxOccurrences });
