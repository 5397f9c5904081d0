import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_RECORDS } from '../../cli/commands/demo.js';
import { startTestServer, type Credentials, type TestServer } from '../testing/test-server.js';
import { WEB_UI_DIR } from './web-ui-routes.js';

/**
 * The web UI end to end: the built page served by a real server, driven in Debian's headless
 * Chromium (installed by .ci/run) as a user clicks through it. With FLOE_UI_SCREENSHOTS=<dir>,
 * each page is also saved as a screenshot (`npm run docs:screenshots` refreshes docs/ui).
 */
const CHROMIUM = process.env.FLOE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.FLOE_UI_SCREENSHOTS;
const GROUP = 'user-feature-group';

/** Waits for what the page shows (the 1 s default is short on a busy 2-core machine). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

let serverUrl = '';
const rawGet = (path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpGet(new URL(serverUrl), { path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });

describe('web UI in headless Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let reader: Credentials;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(WEB_UI_DIR, 'index.html'))) throw new Error('the web UI is not built: run `npm run build` first (npm test does)');
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set FLOE_CHROMIUM`);
    t = await startTestServer();
    serverUrl = t.server.url;
    const store = t.server.store;
    await store.createFeatureGroup({
      featureGroupName: GROUP,
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
        { featureName: 'age', featureType: 'Integral' },
        { featureName: 'score', featureType: 'Fractional' },
        { featureName: 'clicks', featureType: 'Integral' },
        { featureName: 'tags', featureType: 'String', collectionType: 'List' },
      ],
      description: 'users of the seed walkthrough',
      tags: [{ key: 'team', value: 'growth' }],
    });
    for (const name of ['clicks-daily', 'sessions']) {
      await store.createFeatureGroup({
        featureGroupName: name,
        recordIdentifierFeatureName: 'id',
        eventTimeFeatureName: 'ts',
        featureDefinitions: [
          { featureName: 'id', featureType: 'String' },
          { featureName: 'ts', featureType: 'Fractional' },
        ],
      });
    }
    const users = store.featureGroup(GROUP);
    for (const record of SEED_RECORDS) {
      await users.putRecord(record);
      await users.flush(); // one commit each: nine small files for the optimize run to compact
    }
    reader = await t.key('reader');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A fresh browser context (no session), every console error and page error recorded. */
  const open = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${t.server.url}/ui/`);
    return page;
  };
  const signIn = async (page: Page, c: Credentials) => {
    await page.getByLabel('Access key ID').fill(c.accessKeyId);
    await page.getByLabel('Secret access key').fill(c.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const shot = async (page: Page, name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  it('serves the page under a strict content security policy, and / leads to it', async () => {
    const response = await fetch(`${t.server.url}/ui/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'.*frame-ancestors 'none'/);
    expect(await response.text()).toContain('<div id="app">');
    const root = await fetch(`${t.server.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/ui/']);
    // Sent as written (fetch would resolve the dots first): nothing outside the built UI is served.
    for (const path of ['/ui/../credentials', '/ui/%2e%2e/credentials', '/ui/..%2fcredentials', '/ui/assets/..%2f..%2fcredentials']) {
      const answer = await rawGet(path);
      expect(answer.status, path).not.toBe(200);
      expect(answer.body, path).not.toContain(t.admin.secretAccessKey);
    }
  });

  it('signs in with an access key, refusing a wrong secret; the secret is never kept', async () => {
    const page = await open();
    await signIn(page, { ...t.admin, secretAccessKey: 'wrong' });
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/Unauthenticated.*not made with this access key/);
    await shot(page, 'sign-in');
    await signIn(page, t.admin);
    await eventually(() => page.getByTestId('who').textContent()).toContain(`${t.admin.accessKeyId} admin`);
    const stored = await page.evaluate<string>('JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })');
    expect(stored).toContain('floe1.');
    expect(stored).not.toContain(t.admin.secretAccessKey);
    await page.context().close();
  });

  it('lists feature groups with search and status, and opens a group with its figures, schema, settings, rows and online lookup', async () => {
    const page = await open();
    await signIn(page, t.admin);
    const list = page.getByTestId('feature-groups');
    await eventually(() => list.locator('tbody tr').count()).toBe(3);
    await shot(page, 'feature-groups');
    await page.getByLabel('Search by name').fill('click');
    await eventually(() => list.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('clicks-daily')]);
    await page.getByLabel('Search by name').fill('nothing-like-it');
    await eventually(() => page.getByText('No feature groups match').count()).toBe(1);
    await page.getByLabel('Search by name').fill('');
    await page.getByLabel('Status').selectOption('Deleting');
    await eventually(() => page.getByText('No feature groups match').count()).toBe(1);
    await page.getByLabel('Status').selectOption('');

    await page.getByRole('link', { name: GROUP }).click();
    await eventually(() => page.getByTestId('stat-records').textContent()).toBe('9offline rows');
    expect(await page.getByTestId('stat-files').textContent()).toBe('9data files');
    expect(await page.getByTestId('stat-snapshots').textContent()).toBe('9snapshots');
    expect(await page.getByTestId('stat-storage').textContent()).toMatch(/KiB/);
    expect(await page.getByTestId('snapshot-chart').locator('canvas').count()).toBe(1);
    const schema = await page.getByTestId('schema').locator('tbody tr').allTextContents();
    expect(schema).toEqual([
      'user_idStringrecord identifier', 'event_timeStringevent time', 'ageIntegral', 'scoreFractional', 'clicksIntegral', 'tagsList<String>',
    ]);
    const configuration = await page.getByTestId('configuration').textContent();
    expect(configuration).toMatch(/Offline storeIceberg table at file:\/\//);
    expect(configuration).toContain('team=growth');
    await eventually(() => page.locator('table.data').last().locator('tbody tr').count()).toBe(9); // latest offline rows

    // Online lookup: the newest record by event time, 64-bit values exact; a missing one said plainly.
    await page.getByLabel('Record identifier').fill('u1');
    await page.getByRole('button', { name: 'Look up' }).click();
    await eventually(() => page.getByTestId('online-record').textContent()).toContain('age31');
    expect(await page.getByTestId('online-record').textContent()).toContain('clicks-9223372036854775808');
    await page.getByLabel('Record identifier').fill('nobody');
    await page.getByRole('button', { name: 'Look up' }).click();
    await eventually(() => page.getByTestId('online-record').textContent()).toContain("No live record for 'nobody'");
    await page.context().close();
  });

  it('runs read-only SQL, shows the result and exports it as CSV; a write is refused with the reason', async () => {
    const page = await open();
    await signIn(page, t.admin);
    await page.getByRole('link', { name: 'Query' }).click();
    const sql = page.getByLabel('SQL');
    await sql.fill(`SELECT user_id, count(*) AS n, max(age) AS oldest FROM "${GROUP}" GROUP BY user_id ORDER BY user_id`);
    await sql.press('Control+Enter');
    await eventually(() => page.getByTestId('query-summary').textContent()).toMatch(/^3 rows in/);
    expect(await page.locator('table.data tbody tr').allTextContents()).toEqual(['u1399', 'u2341', 'u3351']);
    await shot(page, 'query');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(await readFile((await download.path())!, 'utf8')).toBe('user_id,n,oldest\r\nu1,3,99\r\nu2,3,41\r\nu3,3,51\r\n');

    await sql.fill(`DELETE FROM "${GROUP}"`);
    await page.getByRole('button', { name: 'Run' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/ValidationError.*sql/i);
    expect((await t.server.store.query(`SELECT count(*) AS n FROM "${GROUP}"`)).rows[0]!.n).toBe(9);
    await page.context().close();
  });

  it('starts a maintenance run from the jobs page and shows it in the history; compaction shows on the group page', async () => {
    const page = await open();
    await signIn(page, t.admin);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await eventually(() => page.getByText('No maintenance runs yet.').count()).toBe(1);
    await page.getByLabel('Feature group').selectOption(GROUP);
    await page.getByLabel('Kind').selectOption('optimize');
    await page.getByRole('button', { name: 'Run now' }).click();
    const rows = page.getByTestId('jobs').locator('tbody tr');
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(new RegExp(`optimize${GROUP}.*succeeded`));
    await shot(page, 'jobs');
    await page.getByTestId('jobs').getByRole('link', { name: GROUP }).click();
    await eventually(() => page.getByTestId('stat-files').textContent()).toBe('1data files');
    expect(await page.getByTestId('stat-records').textContent()).toBe('9offline rows');
    expect(await page.getByTestId('stat-snapshots').textContent()).toBe('10snapshots');
    await page.getByLabel('Record identifier').fill('u1');
    await page.getByRole('button', { name: 'Look up' }).click();
    await eventually(() => page.getByTestId('online-record').textContent()).toContain('age31');
    await shot(page, 'feature-group');
    await page.context().close();
  });

  it('shows a reader no maintenance controls, and signs out when its key is deleted', { timeout: 90_000 }, async () => {
    const page = await open();
    await signIn(page, reader);
    await eventually(() => page.getByTestId('who').textContent()).toContain('reader');
    await page.getByRole('link', { name: 'Jobs' }).click();
    await eventually(() => page.getByTestId('jobs').locator('tbody tr').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Run now' }).count()).toBe(0);
    await t.server.store.accessKeys.deleteAccessKey(reader.accessKeyId);
    // Servers cache a key for a few seconds, so revocation shows within that: refresh until it does.
    const notice = page.locator('.notice');
    await eventually(async () => {
      if ((await notice.count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click();
      return notice.count();
    }).toBe(1);
    expect(await notice.textContent()).toMatch(/Signed out: .*not known/);
    await page.context().close();
  });

  it('raised no script errors on any page', () => {
    expect(problems).toEqual([]);
  });
});
