// Accessibility audit with axe-core: the lookup page, embed.html and the element itself, each after lookups, no serious or critical violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { openSuite, closeSuite, lookup, TZ } from './harness.mjs';

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let suite;
before(async () => { suite = await openSuite({ page: false }); });
after(async () => closeSuite(suite ?? {}));

// A page with axe injected; the CSP is bypassed for this audit only (its own test is in element.test.mjs).
async function openAudited(path) {
  const options = { viewport: { width: 1000, height: 1000 }, locale: 'zh-TW', bypassCSP: true };
  if (TZ) options.timezoneId = TZ;
  const context = await suite.browser.newContext(options);
  const page = await context.newPage();
  await page.goto(suite.server.url + path);
  await page.waitForSelector('html[data-ready="true"]');
  return { context, page };
}

// axe's serious and critical violations, one line each (rule, impact, where).
async function audit(page, context = 'document') {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (within) => {
    const target = within === 'document' ? document : { include: [[within]] };
    const result = await window.axe.run(target, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  }, context);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

test('the lookup page: no serious or critical violations, idle and after verdicts', async () => {
  const { context, page } = await openAudited('/');
  try {
    await page.waitForSelector('#policy:not([data-state="loading"])');
    assert.deepEqual(await audit(page), []);
    await lookup(page, suite.fx.approved);
    await page.locator('#daily').evaluate((d) => { d.open = true; });
    assert.deepEqual(await audit(page), []);
    await lookup(page, suite.fx.ean_spec);
    await lookup(page, '12345');
    assert.deepEqual(await audit(page), []);
    // The audit can fail: an unlabelled image is reported.
    await page.evaluate(() => document.querySelector('main').append(document.createElement('img')));
    assert.match((await audit(page)).join('\n'), /^image-alt \(critical\)/m);
  } finally {
    await context.close();
  }
});

test('embed.html and its elements: no serious or critical violations, in zh-TW and in English', async () => {
  const { context, page } = await openAudited('/embed.html');
  try {
    assert.deepEqual(await audit(page), []);
    for (const [id, code] of [['item1', suite.fx.approved], ['item2', suite.fx.revoked]]) {
      await page.evaluate(([id, code]) => document.getElementById(id).lookup(code), [id, code]);
    }
    assert.deepEqual(await audit(page), []);
    await page.locator('#lang').selectOption('en');
    await page.waitForFunction(() => document.getElementById('item1').result?.decision.message.startsWith('Exempt'));
    assert.deepEqual(await audit(page, 'book-tax-lookup'), []);
    // A compact element on its own, as in a table cell.
    await page.evaluate(async (code) => {
      const el = document.createElement('book-tax-lookup');
      el.compact = true;
      el.appid = document.getElementById('item1').appid;
      el.id = 'cell';
      document.querySelector('main').append(el);
      await el.lookup(code);
    }, suite.fx.unknown_status);
    assert.deepEqual(await audit(page, '#cell'), []);
    // Inside the shadow root too: an input that loses its label is reported.
    await page.evaluate(() => document.getElementById('cell').shadowRoot.querySelector('label').remove());
    assert.match((await audit(page, '#cell')).join('\n'), /^label \(critical\)/m);
  } finally {
    await context.close();
  }
});
