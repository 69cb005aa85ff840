import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BrowserHarness, launchBrowser, screenshot } from '../support/browser.js';
import { DEFAULT_USERS as lms } from '../support/lti-platform.js';
import { startLtiDoor, type LtiDoor } from '../lti/lti-door.js';

/**
 * A teacher opens Asistencia from the test LMS in Chromium, through the real door: the OIDC login, the
 * platform's auto-posted id_token, the course page; the students come from the LMS's roster (NRPS), each
 * with its source. In a new window, and inside the LMS's iframe (third-party cookies: SameSite=None;
 * Secure; Partitioned).
 */
const laptop = { width: 1280, height: 900 };
let lti: LtiDoor;
let browser: BrowserHarness;

beforeAll(async () => {
  lti = await startLtiDoor();
  browser = await launchBrowser();
  lti.platform.rosters.set('lms-course-1', [lms.ana!, lms.luis!, lms.maria!, lms.carla!]);
  // The course is linked by the deep-linking choice a teacher made earlier (here, straight in the table).
  await lti.door.service.db.query(
    `INSERT INTO lti.course_links (platform_id, context_id, course_id, context_title) SELECT id, 'lms-course-1', 'MAT101', 'Cálculo I (LMS)' FROM lti.platforms`,
  );
});

afterAll(async () => {
  await browser?.close();
  await lti?.stop();
});

const loginUrl = () =>
  `${lti.origin}/asistencia/lti/login?${new URLSearchParams({
    iss: lti.platform.issuer,
    login_hint: lms.ana!.id,
    target_link_uri: `${lti.origin}/asistencia/lti/launch`,
    client_id: lti.platform.clientId,
    lti_deployment_id: lti.platform.deploymentId,
    lti_message_hint: 'context=lms-course-1',
  })}`;

describe('a teacher launches Asistencia from the LMS', () => {
  test('in a new window: the course page, with the students the LMS lists', async () => {
    const page = await browser.newPage({ viewport: laptop });
    await page.goto(loginUrl());
    await page.waitForURL(/\/asistencia\/teacher\/\?course=MAT101&lti=1$/);
    const panel = page.locator('[data-lms-panel]');
    await panel.getByRole('heading', { name: 'En el LMS' }).waitFor();
    await panel.locator('tr[data-source="lms"]', { hasText: 'Carla Soto' }).waitFor();
    expect(await panel.locator('tr', { hasText: 'Carla Soto' }).textContent()).toContain('Solo LMS (sin cuenta en el portal)');
    expect(await panel.locator('tr[data-student="2"]').textContent()).toContain('Portal y LMS');
    expect(await panel.locator('tr[data-student="4"]').textContent()).toContain('Solo portal');
    await screenshot(page, 'lti-launch-window');
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('inside the LMS iframe: signed in with partitioned cookies, the pages framed by the LMS only', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${lti.platform.issuer}/course-frame?${new URLSearchParams({ launch: loginUrl() })}`);
    const frame = page.frameLocator('#tool');
    await frame.locator('[data-lms-panel]').getByRole('heading', { name: 'En el LMS' }).waitFor();
    await frame.locator('tr[data-source="lms"]', { hasText: 'Carla Soto' }).waitFor();
    await screenshot(page, 'lti-launch-iframe');
  });
});
