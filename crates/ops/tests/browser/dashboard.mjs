// The operations dashboard in a real browser: a system Chromium driven by
// playwright-core, against the `inbox_receiver` example on a seeded inbox.
// Run by examples/tests/dashboard.rs, which seeds the inbox, starts the
// example and passes:
//
// - OPS_URL: the operations server (`http://127.0.0.1:PORT`);
// - OPS_TOKEN: its write token;
// - WEBHOOK_URL: the receiver's webhook URL, for a fresh signed delivery;
// - APP_SECRET: the App Secret it verifies with;
// - EXPECT: JSON, what the inbox holds: `counts` (per state), `total`,
//   `dead_by_kind` (dead letters per kind), `failed_by_kind`, `script_id`
//   (the message whose text is HTML with a script), `dead_id` (a dead
//   letter with attempts), `dead_attempts`, `dead_class` (its error class),
//   `account`;
// - SCREENSHOTS: the directory for the screenshots (created if missing);
// - OPS_READ_TOKEN (optional): a read-only token; the phone's run then
//   checks that retry and delete are hidden;
// - CHROMIUM (optional): the browser, `/usr/bin/chromium` by default.
//
// Exits 0 when every check passed; prints the failed check and exits 1
// otherwise.

import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { chromium } from 'playwright-core';

const STATES = ['pending', 'processing', 'processed', 'failed', 'dead_letter'];
const SCRIPT_TEXT = '<script>window.__pwned=1</script>';

class CheckFailed extends Error {}

function env(name) {
  const value = process.env[name];
  if (!value) throw new CheckFailed(`the environment variable ${name} is not set`);
  return value;
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function step(text) {
  console.log(`[${elapsed()}] ${text}`);
}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function show(value) {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch (_) {
    return String(value);
  }
}

/** Polls `probe` until it answers `true`; anything else is the state shown if time runs out. */
async function until(what, probe, timeout = 10_000, every = 100) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last === true) return;
    } catch (error) {
      last = `error: ${error.message}`;
    }
    if (Date.now() > deadline) throw new CheckFailed(`${what}: not within ${timeout} ms (last seen: ${show(last)})`);
    await sleep(every);
  }
}

// ---------------------------------------------------------------------------
// The API and the webhook, from Node.

const OPS_URL = env('OPS_URL').replace(/\/+$/, '');
const OPS_TOKEN = env('OPS_TOKEN');
const WEBHOOK_URL = env('WEBHOOK_URL');
const APP_SECRET = env('APP_SECRET');
const SCREENSHOTS = env('SCREENSHOTS');
const EXPECT = JSON.parse(env('EXPECT'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Optional: a read-only token, for the phone's run (no retry, no delete).
const OPS_READ_TOKEN = process.env.OPS_READ_TOKEN || '';

async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(`${OPS_URL}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${OPS_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  check(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

async function rawBytes(path) {
  const response = await fetch(`${OPS_URL}${path}`, { headers: { Authorization: `Bearer ${OPS_TOKEN}` } });
  check(response.ok, `GET ${path} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** POSTs a Meta-like comment delivery, signed as Meta signs (HMAC-SHA256 of the exact bytes). */
async function postComment(commentId, text) {
  const body = Buffer.from(JSON.stringify({
    object: 'instagram',
    entry: [{
      id: EXPECT.account,
      time: Math.floor(Date.now() / 1000),
      changes: [{
        field: 'comments',
        value: { id: commentId, text, from: { id: '1', username: 'u' }, media: { id: 'm1' } },
      }],
    }],
  }));
  const signature = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const response = await fetch(WEBHOOK_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature },
    body,
  });
  const answer = await response.text();
  check(response.status === 200, `the webhook answered ${response.status} to a signed delivery: ${answer}`);
}

// ---------------------------------------------------------------------------
// The page.

const problems = [];
// The page in use, for a screenshot of what a failed check saw.
let current = null;

function watch(page, name) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location() && message.location().url ? ` (${message.location().url})` : '';
    problems.push(`${name}: console error: ${message.text()}${where}`);
  });
  page.on('pageerror', (error) => problems.push(`${name}: page error: ${error.message}`));
  page.on('crash', () => problems.push(`${name}: the page crashed`));
}

async function text(page, selector) {
  return (await page.locator(selector).textContent()) ?? '';
}

function number(value) {
  const digits = String(value).replace(/[^0-9]/g, '');
  return digits === '' ? NaN : Number(digits);
}

async function rows(page) {
  return page.$$eval('#events-body tr.event-row', (trs) => trs.map((tr) => ({
    id: Number(tr.dataset.id),
    state: tr.dataset.state,
    kind: tr.querySelector('td.kind')?.textContent ?? '',
    account: tr.querySelector('td.account')?.textContent ?? '',
  })));
}

async function statCounts(page) {
  const counts = {};
  for (const state of [...STATES, 'total']) counts[state] = number(await text(page, `#stat-${state}`));
  return counts;
}

async function untilStats(page, expected, what) {
  await until(what, async () => {
    const counts = await statCounts(page);
    const wrong = Object.entries(expected).filter(([state, n]) => counts[state] !== n);
    return wrong.length === 0 || { expected, shown: counts };
  });
}

async function untilRows(page, what, predicate, timeout) {
  let seen;
  await until(what, async () => {
    seen = await rows(page);
    return predicate(seen) || seen;
  }, timeout);
  return seen;
}

async function noHorizontalOverflow(page, what) {
  const sizes = await page.evaluate(() => {
    const dialog = document.querySelector('dialog[open]');
    return {
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      dialog: dialog ? dialog.scrollWidth : 0,
      dialogBox: dialog ? dialog.clientWidth : 0,
    };
  });
  check(sizes.page <= sizes.viewport, `${what}: the page is wider than the screen (${sizes.page} px > ${sizes.viewport} px)`);
  check(sizes.dialog <= sizes.dialogBox + 1, `${what}: the dialog's content is wider than the dialog (${sizes.dialog} px > ${sizes.dialogBox} px)`);
}

async function openRow(page, id) {
  await page.locator(`#events-body tr.event-row[data-id="${id}"] td.kind`).click();
  await until(`the dialog of event ${id} opens`, async () => {
    const state = await page.evaluate(() => {
      const dialog = document.getElementById('event-dialog');
      return { open: dialog.open, id: dialog.dataset.id, meta: document.querySelectorAll('#event-meta .meta-item').length };
    });
    return (state.open && state.id === String(id) && state.meta > 0) || state;
  });
}

async function closeDialog(page) {
  await page.locator('#event-close').click();
  await until('the dialog closes', async () => !(await page.evaluate(() => document.getElementById('event-dialog').open)) || 'open');
}

async function setKind(page, kind) {
  await page.locator('#filter-kind').fill(kind);
  await page.locator('#filter-kind').press('Enter');
}

async function desktop(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  current = page;
  watch(page, 'desktop');
  const counts = EXPECT.counts;

  step('desktop: open the dashboard with the token in the fragment');
  await page.goto(`${OPS_URL}/?refresh=1#token=${encodeURIComponent(OPS_TOKEN)}`);
  await until('the token leaves the address bar', async () => !page.url().includes('token=') || page.url());
  await until('the access is shown', async () => (await text(page, '#access')) === 'read and write' || (await text(page, '#access')));
  await untilStats(page, { ...counts, total: EXPECT.total }, 'the stat cards show the counts per state');
  await until('the list shows every event', async () => (await rows(page)).length === Math.min(EXPECT.total, 50) || (await rows(page)).length);
  const updated = await text(page, '#updated');
  check(/^updated \d\d:\d\d:\d\d$/.test(updated), `the "updated" label reads "${updated}"`);
  const oldest = await text(page, '#stat-oldest');
  check(counts.pending + counts.failed === 0 ? oldest === 'none' : /\d+ (s|min|h|d)/.test(oldest), `the oldest pending age reads "${oldest}"`);
  check(number(await text(page, '#stat-hour-received')) === EXPECT.total, `last hour received: ${await text(page, '#stat-hour-received')}`);
  await noHorizontalOverflow(page, 'desktop');
  await page.screenshot({ path: join(SCREENSHOTS, 'desktop.png'), fullPage: true });

  step('desktop: the dead-letter groups');
  const groups = await page.$$eval('#dead-letters-body tr', (trs) => trs.map((tr) => ({
    kind: tr.dataset.kind, errorClass: tr.dataset.errorClass, count: Number(tr.cells[2].textContent.replace(/\D/g, '')),
  })));
  const byKind = {};
  for (const group of groups) byKind[group.kind] = (byKind[group.kind] || 0) + group.count;
  check(isDeepStrictEqual(byKind, EXPECT.dead_by_kind), `dead-letter groups ${show(groups)}, expected per kind ${show(EXPECT.dead_by_kind)}`);
  check(groups.some((group) => group.errorClass === EXPECT.dead_class), `no dead-letter group of class ${EXPECT.dead_class}: ${show(groups)}`);

  step('desktop: the state filter narrows to the dead letters');
  await page.locator('#filter-state').selectOption('dead_letter');
  await untilRows(page, 'the list shows exactly the dead letters',
    (seen) => seen.length === counts.dead_letter && seen.every((row) => row.state === 'dead_letter'));
  check(new URL(page.url()).searchParams.get('state') === 'dead_letter', `the query string does not hold the state: ${page.url()}`);
  check(number(await text(page, '#events-count')) > 0, 'the count of matching events is shown');

  step('desktop: the kind filter narrows too, and a reload keeps both');
  await setKind(page, 'message');
  await untilRows(page, 'the list shows the dead messages',
    (seen) => seen.length === EXPECT.dead_by_kind.message && seen.every((row) => row.state === 'dead_letter' && row.kind === 'message'));
  const search = new URL(page.url()).searchParams;
  check(search.get('state') === 'dead_letter' && search.get('kind') === 'message' && search.get('refresh') === '1',
    `the query string does not mirror the filters: ${page.url()}`);
  await page.reload();
  await until('the filters survive a reload', async () => {
    const values = [await page.locator('#filter-state').inputValue(), await page.locator('#filter-kind').inputValue()];
    return (values[0] === 'dead_letter' && values[1] === 'message') || values;
  });
  await untilRows(page, 'the reloaded list is filtered',
    (seen) => seen.length === EXPECT.dead_by_kind.message && seen.every((row) => row.kind === 'message'));

  if (EXPECT.other_account) {
    step('desktop: the account filter narrows');
    await page.locator('#filter-state').selectOption('');
    await setKind(page, '');
    await page.locator('#filter-account').fill(EXPECT.other_account);
    await page.locator('#filter-account').press('Enter');
    await untilRows(page, 'the list shows the other account\'s events',
      (seen) => seen.length === EXPECT.other_account_events && seen.every((row) => row.account === EXPECT.other_account));
    check(new URL(page.url()).searchParams.get('account') === EXPECT.other_account, `the query string does not hold the account: ${page.url()}`);
    await page.locator('#filter-account').fill('');
    await page.locator('#filter-account').press('Enter');
  }

  step('desktop: a dead-letter group sets the filter');
  const other = Object.keys(EXPECT.dead_by_kind).find((kind) => kind !== 'message');
  await page.locator(`#dead-letters-body tr[data-kind="${other}"] button`).first().click();
  await untilRows(page, `the list shows the dead ${other} events`,
    (seen) => seen.length === EXPECT.dead_by_kind[other] && seen.every((row) => row.state === 'dead_letter' && row.kind === other));
  check(await page.locator('#filter-kind').inputValue() === other, 'the kind input shows the group\'s kind');

  step('desktop: clear the filters');
  await page.locator('#filter-clear').click();
  await untilRows(page, 'the cleared filters show every event', (seen) => seen.length === Math.min(EXPECT.total, 50));
  check(!new URL(page.url()).searchParams.has('state'), `the cleared filters are still in the query string: ${page.url()}`);
  if (EXPECT.total > 50) {
    step('desktop: paging: older, refreshed in place, newer');
    const firstPage = await rows(page);
    const oldestShown = Math.min(...firstPage.map((row) => row.id));
    await page.locator('#page-older').click();
    const secondPage = await untilRows(page, 'the older page shows the rest',
      (seen) => seen.length === Math.min(EXPECT.total - 50, 50) && seen.every((row) => row.id < oldestShown));
    check(await text(page, '#page-label') === 'page 2', `the page label reads ${await text(page, '#page-label')}`);
    check(await page.locator('#page-newer').isEnabled(), 'Newer is disabled on page 2');
    const stamp = await text(page, '#updated');
    await until('a refresh on page 2', async () => (await text(page, '#updated')) !== stamp || stamp, 5_000);
    const refreshed = await rows(page);
    check(isDeepStrictEqual(refreshed.map((row) => row.id), secondPage.map((row) => row.id)), 'the refresh left page 2');
    await page.locator('#page-newer').click();
    await untilRows(page, 'Newer goes back to the first page',
      (seen) => isDeepStrictEqual(seen.map((row) => row.id), firstPage.map((row) => row.id)));
    check(await page.locator('#page-newer').isDisabled(), 'Newer is enabled on page 1');
  }
  step('desktop: the event with a script in its text is shown as text');
  await openRow(page, EXPECT.script_id);
  await until('the item is shown', async () => (await text(page, '#payload-view')).includes(SCRIPT_TEXT) || (await text(page, '#payload-view')));
  const detail = await api(`/api/webhook-events/${EXPECT.script_id}`);
  const shownItem = JSON.parse(await text(page, '#payload-view'));
  check(isDeepStrictEqual(shownItem, detail.payload), 'the item shown is not the payload the API answers');
  const injected = await page.evaluate(() => ({
    pwned: typeof window.__pwned,
    images: document.querySelectorAll('img').length,
    scripts: [...document.scripts].filter((script) => !script.src.endsWith('/assets/dashboard.js')).length,
  }));
  check(injected.pwned === 'undefined', 'window.__pwned is set: the payload ran as script');
  check(injected.images === 0, `the payload made ${injected.images} <img> element(s)`);
  check(injected.scripts === 0, `the payload made ${injected.scripts} <script> element(s)`);

  step('desktop: the raw tab shows the delivery\'s exact bytes');
  await page.locator('#tab-raw').click();
  const raw = (await rawBytes(detail.raw_url)).toString('utf8');
  await until('the raw delivery is shown', async () => (await text(page, '#raw-view')) === raw || (await text(page, '#raw-view')).slice(0, 120));
  check(!(await page.locator('#payload-view').isVisible()), 'the item stays visible beside the raw tab');
  check((await text(page, '#delivery-meta')).includes(String(detail.delivery_id)), 'the delivery metadata lacks its id');
  check(await page.evaluate(() => typeof window.__pwned) === 'undefined', 'window.__pwned is set after the raw tab');
  await closeDialog(page);

  step('desktop: a dead letter\'s attempts; a fresh delivery shows up under the open dialog');
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await openRow(page, EXPECT.dead_id);
  const scrollY = await page.evaluate(() => window.scrollY);
  check(scrollY > 0, 'the page is not scrollable: the scroll check would prove nothing');
  await until('the attempts are shown', async () => {
    const attempts = await page.$$eval('#attempts-body tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    return (attempts.length === EXPECT.dead_attempts && attempts.every((cells) => cells[4] === EXPECT.dead_class && cells[5].length > 0)) || attempts;
  });
  await page.screenshot({ path: join(SCREENSHOTS, 'desktop-dialog.png') });
  const before = await rows(page);
  const newest = Math.max(...before.map((row) => row.id));
  await postComment(`179${Date.now()}`, 'fresh');
  const after = await untilRows(page, 'the fresh comment appears in the list by itself', (seen) => seen.some((row) => row.id > newest && row.kind === 'comment' && row.state === 'pending'), 10_000);
  const fresh = after.find((row) => row.id > newest);
  const kept = await page.evaluate(() => ({
    open: document.getElementById('event-dialog').open,
    id: document.getElementById('event-dialog').dataset.id,
    scrollY: window.scrollY,
    filters: [document.getElementById('filter-state').value, document.getElementById('filter-kind').value, document.getElementById('filter-account').value],
  }));
  check(kept.open && kept.id === String(EXPECT.dead_id), `the refresh closed the dialog: ${show(kept)}`);
  check(kept.scrollY === scrollY, `the refresh moved the page: scrollY ${kept.scrollY}, was ${scrollY}`);
  check(kept.filters.every((value) => value === ''), `the refresh changed the filters: ${show(kept.filters)}`);
  await untilStats(page, { pending: counts.pending + 1, total: EXPECT.total + 1 }, 'the stat cards count the fresh comment');
  await page.locator('#attempts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'desktop-attempts.png') });

  step('desktop: retry the dead letter from its dialog');
  await page.locator('#event-retry').click();
  await until('the dialog says it is queued again', async () => {
    const status = await page.evaluate(() => ({
      text: document.getElementById('dialog-status').textContent,
      kind: document.getElementById('dialog-status').className,
      state: document.getElementById('detail-state').dataset.state,
    }));
    return (status.kind.includes('status-ok') && status.text.length > 0 && status.state === 'pending') || status;
  });
  const retried = await api(`/api/webhook-events/${EXPECT.dead_id}`);
  check(retried.state === 'pending', `the API says the retried dead letter is ${retried.state}`);
  await untilRows(page, 'the retried dead letter is pending in the list', (seen) => seen.some((row) => row.id === EXPECT.dead_id && row.state === 'pending'));
  await untilStats(page, { pending: counts.pending + 2, dead_letter: counts.dead_letter - 1 }, 'the stat cards count the retried dead letter');
  await closeDialog(page);

  step('desktop: the pause switch stops the refresh, resume starts it again');
  const first = await text(page, '#updated');
  await until('the refresh runs', async () => (await text(page, '#updated')) !== first || first, 5_000);
  await page.locator('#auto-refresh').uncheck();
  await sleep(800);
  const paused = await text(page, '#updated');
  await sleep(2_600);
  check(await text(page, '#updated') === paused, `the page refreshed while paused (${paused}, then ${await text(page, '#updated')})`);
  check((await text(page, '#refresh-label')).includes('paused'), 'the switch does not say it is paused');
  await page.locator('#auto-refresh').check();
  await until('the refresh runs again after resume', async () => (await text(page, '#updated')) !== paused || paused, 5_000);

  step('desktop: retry every failed event at once');
  await page.locator('#filter-state').selectOption('failed');
  await untilRows(page, 'the list shows the failed events', (seen) => seen.length === counts.failed && seen.every((row) => row.state === 'failed'));
  await page.locator('#bulk-retry').click();
  await until('the confirmation counts the failed events', async () => {
    const state = await page.evaluate(() => ({
      open: document.getElementById('bulk-dialog').open,
      count: document.getElementById('bulk-text').dataset.count,
      text: document.getElementById('bulk-text').textContent,
    }));
    return (state.open && state.count === String(counts.failed) && state.text.startsWith(`Queue ${counts.failed} event`)) || state;
  });
  await page.screenshot({ path: join(SCREENSHOTS, 'desktop-bulk.png') });
  await page.locator('#bulk-confirm').click();
  await until('the page says the failed events are queued', async () => (await text(page, '#status')).startsWith(`Queued ${counts.failed} event`) || (await text(page, '#status')));
  await untilRows(page, 'no failed event is left in the list', (seen) => seen.length === 0);
  check(await page.locator('#events-empty').isVisible(), 'the empty list says so');
  const failedLeft = await api('/api/webhook-events?status=failed');
  check(failedLeft.total === 0, `the API still counts ${failedLeft.total} failed events`);
  await untilStats(page, { pending: counts.pending + 2 + counts.failed, failed: 0 }, 'the stat cards count the queued events');

  step('desktop: delete an event (confirmed)');
  await page.locator('#filter-state').selectOption('processed');
  const processed = await untilRows(page, 'the list shows the processed events', (seen) => seen.length > 0 && seen.every((row) => row.state === 'processed'));
  const victim = processed[processed.length - 1].id;
  await openRow(page, victim);
  await until('the delete button is ready', async () => (await page.locator('#event-delete').isEnabled()) || 'disabled');
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('#event-delete').click();
  await until('the deleted event leaves the list', async () => !(await rows(page)).some((row) => row.id === victim) || 'still listed');
  check(!(await page.evaluate(() => document.getElementById('event-dialog').open)), 'the dialog stays open after the delete');
  const gone = await fetch(`${OPS_URL}/api/webhook-events/${victim}`, { headers: { Authorization: `Bearer ${OPS_TOKEN}` } });
  check(gone.status === 404, `the deleted event still answers ${gone.status}`);
  await context.close();
  return { fresh: fresh.id, deleted: victim };
}

async function phone(browser) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  current = page;
  watch(page, 'phone');

  step('phone: without a token the page asks for one');
  await page.goto(`${OPS_URL}/?refresh=0`);
  await page.locator('#token-form').waitFor({ state: 'visible' });
  check(!(await page.locator('#app').isVisible()), 'the dashboard shows without a token');
  await page.screenshot({ path: join(SCREENSHOTS, 'phone-token.png') });
  await page.locator('#token-input').fill(OPS_READ_TOKEN || OPS_TOKEN);
  await page.locator('#token-submit').click();
  await until('the dashboard opens with the token typed in', async () => (await page.locator('#app').isVisible()) && (await rows(page)).length > 0 || 'not yet');
  check((await text(page, '#refresh-label')).includes('paused'), '?refresh=0 does not start paused');
  if (OPS_READ_TOKEN) {
    step('phone: a read-only token shows no retry or delete');
    await until('the access is read only', async () => (await text(page, '#access')) === 'read only' || (await text(page, '#access')));
    check(!(await page.locator('#bulk-retry').isVisible()), 'the bulk retry shows with a read-only token');
  }
  await noHorizontalOverflow(page, 'phone');
  await page.screenshot({ path: join(SCREENSHOTS, 'phone.png'), fullPage: true });

  step('phone: the dialog fits the screen');
  await openRow(page, EXPECT.script_id);
  await until('the item is shown', async () => (await text(page, '#payload-view')).includes(SCRIPT_TEXT) || 'not yet');
  if (OPS_READ_TOKEN) {
    check(!(await page.locator('#event-retry').isVisible()) && !(await page.locator('#event-delete').isVisible()),
      'retry and delete show with a read-only token');
  }
  await noHorizontalOverflow(page, 'phone dialog');
  await page.screenshot({ path: join(SCREENSHOTS, 'phone-dialog.png') });
  await page.locator('#tab-raw').click();
  await until('the raw delivery is shown', async () => (await text(page, '#raw-view')).length > 0 || 'empty');
  await noHorizontalOverflow(page, 'phone raw tab');
  check(await page.evaluate(() => typeof window.__pwned) === 'undefined', 'window.__pwned is set on the phone');
  await context.close();
}

/** A wrong token: the API answers 401 (which the browser logs), the page asks for the token again. */
async function wrongToken(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  current = page;
  // Only script errors count here: the 401 itself is logged by the browser.
  page.on('pageerror', (error) => problems.push(`wrong token: page error: ${error.message}`));
  step('a wrong token shows the token form again');
  await page.goto(`${OPS_URL}/#token=not-the-token`);
  await page.locator('#token-form').waitFor({ state: 'visible' });
  await until('the page says the token was refused', async () => (await text(page, '#token-reason')).includes('refused') || (await text(page, '#token-reason')));
  check(await page.evaluate(() => sessionStorage.length) === 0, 'the refused token stays in sessionStorage');
  await context.close();
}

async function main() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    let result;
    try {
      result = await desktop(browser);
      await phone(browser);
      await wrongToken(browser);
    } catch (error) {
      if (current && !current.isClosed()) {
        await current.screenshot({ path: join(SCREENSHOTS, 'failure.png'), fullPage: true }).catch(() => {});
        console.error(`the page when the check failed: ${join(SCREENSHOTS, 'failure.png')}`);
      }
      throw error;
    }
    check(problems.length === 0, `the browser reported errors:\n  ${problems.join('\n  ')}`);
    step(`passed (fresh comment event ${result.fresh}, deleted event ${result.deleted}); screenshots in ${SCREENSHOTS}`);
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(`[${elapsed()}] FAILED: ${error instanceof CheckFailed ? error.message : error.stack || error}`);
  if (problems.length > 0) console.error(`browser errors:\n  ${problems.join('\n  ')}`);
  process.exit(1);
});
