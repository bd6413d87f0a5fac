// E2E: the policy expiry date (warning in the last 30 days, expired state) and the daily announcements section.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSuite, openSuite, openPage, adminPost, api, lookup, screenshot, taipeiDay } from './harness.mjs';

let server;
let browser;
let fx;

before(async () => ({ server, fx, browser } = await openSuite({ page: false })));
after(() => closeSuite({ browser, server }));

const compact = (isoDay) => isoDay.replaceAll('-', '');

test('policy in its last 30 days: warning shown, books still exempt until then', async () => {
  await adminPost(server.url, 'policy', { policy_expiry_date: compact(taipeiDay(10)) });
  try {
    const { page, context } = await openPage(browser, server.url);
    assert.equal(await page.textContent('#policy-date'), taipeiDay(10));
    assert.equal(await page.getAttribute('#policy', 'data-state'), 'warning');
    assert.match(await page.textContent('#policy-note'), /10 天後到期/);
    const s = await lookup(page, fx.spec_example);
    assert.equal(s.verdict, 'exempt', s.text);
    assert.equal(s.fields.exempt_period, `2021-03-01 至 ${taipeiDay(10)}`);
    await screenshot(page, 'policy_warning');
    await context.close();
  } finally {
    await adminPost(server.url, 'reset');
  }
});

test('policy expired: the page says every book is taxable, and the verdict is policy_expired', async () => {
  await adminPost(server.url, 'policy', { policy_expiry_date: compact(taipeiDay(-1)) });
  try {
    const { page, context } = await openPage(browser, server.url);
    assert.equal(await page.textContent('#policy-date'), taipeiDay(-1));
    assert.equal(await page.getAttribute('#policy', 'data-state'), 'expired');
    assert.match(await page.textContent('#policy-note'), /所有圖書一律應稅/);
    for (const code of [fx.spec_example, fx.ean_spec]) {
      const s = await lookup(page, code);
      assert.equal(s.verdict, 'taxable', s.text);
      assert.equal(s.reason, 'policy_expired');
      assert.match(s.text, /應稅/);
    }
    await screenshot(page, 'policy_expired');
    await context.close();
  } finally {
    await adminPost(server.url, 'reset');
  }
});

test('policy back to default after reset', async () => {
  const { page, context } = await openPage(browser, server.url);
  assert.equal(await page.textContent('#policy-date'), '2031-02-28');
  assert.equal(await page.getAttribute('#policy', 'data-state'), 'ok');
  await context.close();
});

async function showDaily(page, isoDay) {
  await page.fill('#daily-date', isoDay);
  await page.click('#daily-button');
  await page.waitForFunction(() => {
    const r = document.getElementById('daily-result');
    return r.dataset.state && r.dataset.state !== 'loading';
  });
  return page.evaluate(() => {
    const r = document.getElementById('daily-result');
    const counts = {};
    for (const p of r.querySelectorAll('.daily-group')) {
      const c = p.querySelector('.daily-count');
      counts[p.dataset.group] = { isbns: Number(c.dataset.isbns), eans: Number(c.dataset.eans), text: c.textContent };
    }
    return { state: r.dataset.state, text: r.textContent, counts };
  });
}

function count(list) {
  return Array.isArray(list) ? list.length : 0;
}

test('daily announcements: counts per list, and a day without announcements', async () => {
  const { page, context } = await openPage(browser, server.url);
  // The page's own wasm has no daily list: booktax.js loads when the section is first opened, not before.
  const packageBuild = [];
  page.on('request', (r) => { if (/\/pkg\/booktax(_bg\.wasm|\.js)$/.test(new URL(r.url()).pathname)) packageBuild.push(r.url()); });
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => /\/pkg\/booktax(_bg\.wasm|\.js)$/.test(e.name)).length), 0, 'not loaded with the page');
  await page.click('#daily summary');
  // Opening the section loads today's (Taipei) announcement.
  assert.equal(await page.inputValue('#daily-date'), taipeiDay(0));
  await page.waitForFunction(() => {
    const r = document.getElementById('daily-result');
    return r.dataset.state && r.dataset.state !== 'loading';
  });
  const todayState = await page.getAttribute('#daily-result', 'data-state');
  assert.equal(packageBuild.length, 2, `booktax.js and its wasm, once the section opened: ${packageBuild}`);
  const today = await api(server.url, compact(taipeiDay(0)));
  assert.equal(todayState, today.status === 200 ? 'ok' : 'empty', `today's announcement: HTTP ${today.status}`);

  // A day with announcements: the first one served around the spec example's approval date.
  let day = null;
  let body = null;
  const candidates = ['20210301', '20210228', '20210227', '20210226', '20210302', '20210303', '20210315', '20210316'];
  for (const c of candidates) {
    const r = await api(server.url, c);
    if (r.status === 200 && count(r.body.approved?.isbns) + count(r.body.approved?.eans) > 0) {
      day = c;
      body = r.body;
      break;
    }
  }
  assert.ok(day, 'the sample service publishes an approval list around 2021-03-01');
  const iso = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
  const shown = await showDaily(page, iso);
  assert.equal(shown.state, 'ok', shown.text);
  for (const group of ['approved', 'revoked', 'changed']) {
    assert.equal(shown.counts[group].isbns, count(body[group]?.isbns), `${group} isbns`);
    assert.equal(shown.counts[group].eans, count(body[group]?.eans), `${group} eans`);
  }
  assert.match(shown.counts.approved.text, new RegExp(`認可：ISBN ${count(body.approved.isbns)} 筆、EAN ${count(body.approved.eans)} 筆`));
  const firstIsbn = body.approved.isbns?.[0]?.isbn;
  if (firstIsbn) assert.ok(shown.text.includes(firstIsbn), 'approved ISBNs listed');
  await screenshot(page, 'daily');

  // A quiet day (nothing is published on New Year's Day): 404 shown as 「該日尚無公告」.
  let quiet = null;
  for (const c of ['20220101', '20230101', '20240101', '20250101']) {
    if ((await api(server.url, c)).status === 404) { quiet = c; break; }
  }
  assert.ok(quiet, 'the sample service has a day without announcements');
  const none = await showDaily(page, `${quiet.slice(0, 4)}-01-01`);
  assert.equal(none.state, 'empty');
  assert.match(none.text, /該日尚無公告/);
  await screenshot(page, 'daily_none');
  await context.close();
});

test('a till clock far off: the policy bar at first paint and the verdict take the less favourable day, and the page says so', async () => {
  let s;
  // The service's clock says 2024-12-31, 692 days or more behind this machine's; the policy ends
  // 2025-01-15: 15 days left by the service's day, long expired by the device's.
  await adminPost(server.url, 'clock', { now: '2024-12-31T12:00:00+08:00' });
  await adminPost(server.url, 'policy', { policy_expiry_date: '20250115' });
  const { context, page } = await openPage(browser, server.url);
  try {
    // The policy bar from its first paint: expired, the less favourable of the two days.
    assert.equal(await page.getAttribute('#policy', 'data-state'), 'expired');
    assert.match(await page.textContent('#policy'), /已於 2025-01-15 到期/);
    assert.equal(await page.isVisible('#clock-warning'), true);
    assert.match(await page.textContent('#clock-warning'), /時鐘比公告服務快約 \d+ 天/);
    assert.match(await page.textContent('#clock-warning'), /公告服務 2024-12-31/);
    // Revoked from 2025-01-01: exempt on the service's 2024-12-31, taxable on this machine's day.
    s = await lookup(page, fx.revoked);
    assert.equal(s.verdict, 'taxable', s.text);
    assert.equal(s.reason, 'clocks_disagree');
    assert.match(s.text, /2024-12-31/);
    await screenshot(page, 'clock_skew');
  } finally {
    await adminPost(server.url, 'clock', { now: null });
    await adminPost(server.url, 'policy', { policy_expiry_date: null });
  }
  s = await lookup(page, fx.revoked);
  assert.equal(s.reason, 'revoked', s.text);
  assert.equal(await page.isHidden('#clock-warning'), true);
  await page.waitForSelector('#policy[data-state="ok"]');
  await context.close();
});
