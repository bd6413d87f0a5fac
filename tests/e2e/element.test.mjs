// <book-tax-lookup> in embed.html: the form's tax rates and submission, two elements, lang, host CSS, strict CSP, keyboard only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSuite, closeSuite, screenshot, adminPost, TZ } from './harness.mjs';

let suite;
before(async () => { suite = await openSuite({ page: false }); });
after(async () => closeSuite(suite ?? {}));

// Every CSP violation the page reports, collected before any page script runs.
const WATCH_CSP = () => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
};

// Counts the page's wasm instantiations that loaded (window.__wasm.loaded), and the statuses its fetches of the
// wasm were answered with (`fetched`: the glue stops at a failed one before instantiating).
const WATCH_WASM = () => {
  const seen = (window.__wasm = { loaded: 0, fetched: [] });
  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    const answer = originalFetch.call(this, input, init);
    if (String(input instanceof Request ? input.url : input).endsWith('/booktax_bg.wasm')) {
      answer.then((res) => seen.fetched.push(res.status), () => seen.fetched.push(0));
    }
    return answer;
  };
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    WebAssembly[name] = function (...args) {
      return original.apply(this, args).then((result) => { seen.loaded++; return result; });
    };
  }
};

// A fresh context on embed.html, ready; `requests` collects every URL asked for. `before(context)` runs
// before the page opens (routes, init scripts).
async function openEmbed(path = '/embed.html', { before = async () => {} } = {}) {
  const options = { viewport: { width: 1000, height: 1000 }, locale: 'zh-TW' };
  if (TZ) options.timezoneId = TZ;
  const context = await suite.browser.newContext(options);
  await context.addInitScript(WATCH_CSP);
  await before(context);
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(suite.server.url + path);
  await page.waitForSelector('html[data-ready="true"]');
  return { context, page, requests, errors };
}

// Types a code into an element's own input and presses Enter; waits for its verdict.
async function scan(page, id, code) {
  const input = page.locator(`#${id}`).locator('input');
  await input.fill(code);
  await input.press('Enter');
  return settled(page, id, code);
}

// Waits until the element shows a verdict for `code` (not busy), and returns what it shows.
async function settled(page, id, code) {
  await page.waitForFunction(([id, code]) => {
    const el = document.getElementById(id);
    const result = el?.shadowRoot?.querySelector('.result');
    return result && !result.hasAttribute('aria-busy') && result.dataset.verdict
      && el.shadowRoot.querySelector('input').value === code;
  }, [id, code], { timeout: 30000 });
  return shown(page, id);
}

async function shown(page, id) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    const root = el.shadowRoot;
    const q = (sel) => root.querySelector(sel);
    return {
      verdict: q('.result').dataset.verdict,
      value: el.value,
      word: q('.word').textContent,
      glyph: q('.glyph').textContent,
      title: q('.title').textContent,
      message: q('.message').textContent,
      label: q('label').textContent,
      button: q('button').textContent,
      code: el.result?.code ?? null,
      valid: el.checkValidity(),
    };
  }, id);
}

const rate = (page, n) => page.locator(`#rate${n}`).inputValue();

test('the example form fills 0 % for an exempt book, 5 % for taxable and unknown ones, and submits each verdict', async () => {
  const { fx } = suite;
  const { context, page, errors } = await openEmbed();
  try {
    const exempt = await scan(page, 'item1', fx.approved);
    assert.equal(exempt.verdict, 'exempt');
    assert.equal(exempt.word, '免稅');
    assert.equal(exempt.glyph, '✓');
    assert.equal(await rate(page, 1), '0 %');

    const taxable = await scan(page, 'item2', fx.applying);
    assert.equal(taxable.verdict, 'taxable');
    assert.equal(await rate(page, 2), '5 %');
    assert.equal(await rate(page, 1), '0 %', 'the other line keeps its rate');

    await page.locator('input[name="price1"]').fill('350');
    await Promise.all([page.waitForURL(/\?/), page.getByRole('button', { name: '送出銷售單' }).click()]);
    const sent = new URL(page.url()).searchParams;
    assert.equal(sent.get('tax1'), 'exempt');
    assert.equal(sent.get('tax1-code'), fx.approved);
    assert.equal(sent.get('tax2'), 'taxable');
    assert.equal(sent.get('tax2-code'), fx.applying);
    assert.equal(sent.get('rate1'), '0 %');
    assert.equal(sent.get('price1'), '350');
    await page.waitForSelector('html[data-ready="true"]');
    assert.match(await page.locator('#submitted').textContent(), /tax1=exempt/);

    const unknown = await scan(page, 'item1', fx.unknown_status);
    assert.equal(unknown.verdict, 'unknown');
    assert.equal(unknown.glyph, '⚠');
    assert.equal(await rate(page, 1), '5 %');
    await Promise.all([page.waitForURL(/tax1=unknown/), page.getByRole('button', { name: '送出銷售單' }).click()]);
    assert.equal(new URL(page.url()).searchParams.get('tax1'), 'unknown');
    assert.equal(new URL(page.url()).searchParams.get('tax2'), null, 'a line never looked up submits nothing');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a required element stops the form until a lookup; reset clears it; unreadable input is an error event and no value', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    const before = page.url();
    await page.getByRole('button', { name: '送出銷售單' }).click();
    assert.equal(page.url(), before, 'not submitted');
    assert.equal(await page.evaluate(() => document.getElementById('item1').validity.valueMissing), true);
    assert.match(await page.locator('#log').textContent(), /invalid item1/);

    const bad = await scan(page, 'item1', '9789576780005');
    assert.equal(bad.verdict, 'unknown');
    assert.match(bad.message, /檢查碼錯誤/);
    assert.equal(bad.value, '', 'an unreadable code gives the form no verdict');
    assert.equal(bad.valid, false);
    assert.match(await page.locator('#log').textContent(), /booktax-error bad_checksum/);
    assert.equal(await rate(page, 1), '');

    await scan(page, 'item1', fx.approved);
    assert.equal(await page.evaluate(() => document.getElementById('item1').checkValidity()), true);
    await page.getByRole('button', { name: '清除' }).click();
    const reset = await shown(page, 'item1');
    assert.deepEqual([reset.verdict, reset.value, reset.valid, reset.code], ['', '', false, null]);
    assert.equal(await page.locator('#item1').locator('input').inputValue(), '');
    assert.equal(await rate(page, 1), '');
    const data = await page.evaluate(() => [...new FormData(document.getElementById('sale')).keys()]);
    assert.ok(!data.includes('tax1'), `no verdict after reset: ${data}`);
  } finally {
    await context.close();
  }
});

test('two elements work independently and share one wasm instance and one policy-date cache; the wasm is asked for before any lookup', async () => {
  const { fx } = suite;
  const { context, page, requests } = await openEmbed('/embed.html', { before: (context) => context.addInitScript(WATCH_WASM) });
  try {
    // Put on the page, the elements load the wasm (not only fetch it: the page preloads it), so that the
    // first scan does not wait for it; nothing is asked of the service until a lookup.
    await page.waitForFunction(() => window.__wasm.loaded === 1);
    assert.deepEqual(requests.filter((u) => u.includes('/v1/') || u.includes('/v2/')), [], 'no request to the service before a scan');
    // One element asks the policy date; the other, on the same service, finds it cached.
    await scan(page, 'item1', fx.expired);
    await scan(page, 'item2', fx.imported);
    const policy = requests.filter((u) => u.includes('/policy_expiry_date'));
    assert.equal(policy.length, 1, `one policy date for both elements: ${policy}`);

    // Both at once, driven by the lookup() method: each resolves to its own code's decision.
    const [a, b] = await page.evaluate(([x, y]) => Promise.all([
      document.getElementById('item1').lookup(x),
      document.getElementById('item2').lookup(y),
    ]).then((r) => r.map((o) => [o.code, o.kind, o.decision.verdict, o.source])), [fx.approved, fx.revoked]);
    assert.deepEqual(a, [fx.approved, 'isbn', 'exempt', 'live']);
    assert.deepEqual(b, [fx.revoked, 'isbn', 'taxable', 'live']);
    assert.equal((await shown(page, 'item1')).verdict, 'exempt');
    assert.equal((await shown(page, 'item2')).verdict, 'taxable');

    // A newer lookup on one element cancels only that element's older one.
    const outcome = await page.evaluate(([x, y, z]) => {
      const one = document.getElementById('item1');
      const two = document.getElementById('item2');
      const first = one.lookup(x).then(() => 'resolved', (e) => e.code);
      const second = one.lookup(y).then((r) => r.code);
      const other = two.lookup(z).then((r) => r.code);
      return Promise.all([first, second, other]);
    }, [fx.expired, fx.spec_example, fx.not_yet_effective]);
    assert.deepEqual(outcome, ['aborted', fx.spec_example, fx.not_yet_effective]);

    const wasm = requests.filter((u) => u.endsWith('/booktax_bg.wasm'));
    assert.equal(wasm.length, 1, `one wasm download: ${wasm}`);
    assert.equal(requests.filter((u) => u.includes('/policy_expiry_date')).length, 1, 'still the one policy date');
  } finally {
    await context.close();
  }
});

test('lang="en" switches every text the element shows, verdict and error messages included; zh-TW again switches back', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    await scan(page, 'item1', fx.approved);
    await page.locator('#lang').selectOption('en');
    const en = await settled(page, 'item1', fx.approved);
    assert.equal(en.label, 'ISBN / EAN barcode');
    assert.equal(en.button, 'Look up');
    assert.equal(en.word, 'Exempt');
    assert.match(en.message, /^Exempt \(approved from \d{4}-\d\d-\d\d through \d{4}-\d\d-\d\d\)$/);
    // Everything but the book's own title (data as served) is English.
    const texts = await page.evaluate(() => {
      const root = document.getElementById('item1').shadowRoot;
      return [...root.querySelectorAll('label, button, .word, .message')].map((n) => n.textContent)
        .concat(root.querySelector('input').getAttribute('aria-label') ?? []);
    });
    for (const t of texts) assert.doesNotMatch(t, /[\u3000-\u9fff\uff00-\uffef]/, t);

    const taxable = await scan(page, 'item2', fx.revoked);
    assert.equal(taxable.word, 'Taxable');
    assert.match(taxable.message, /^Taxable: the approval was revoked on /);
    const bad = await scan(page, 'item2', '12345');
    assert.equal(bad.word, 'Unknown');
    assert.match(bad.message, /^Unknown: wrong length: 5 digits read.*; sell as taxable and check the announcement page$/);
    // An unreadable option is worded in English too.
    await page.evaluate(() => { document.getElementById('item2').at = 'garbage'; });
    const badAt = await scan(page, 'item2', fx.revoked);
    assert.match(badAt.message, /^Unknown: cannot read the checkout time "garbage"/);
    await page.evaluate(() => { document.getElementById('item2').at = ''; });

    await page.locator('#lang').selectOption('zh-TW');
    const zh = await settled(page, 'item1', fx.approved);
    assert.equal(zh.word, '免稅');
    assert.equal(zh.label, 'ISBN／EAN 條碼');

    // format and at take effect too: an e-book sale and a checkout before the approval.
    await page.evaluate(() => document.getElementById('item1').setAttribute('format', 'ebook'));
    await page.waitForFunction(() => document.getElementById('item1').result?.decision.reason === 'out_of_scope');
    await page.evaluate(() => {
      const el = document.getElementById('item1');
      el.format = 'physical';
      el.at = '2021-01-10T12:00';
    });
    await page.waitForFunction(() => document.getElementById('item1').result?.decision.reason === 'not_yet_effective');
    assert.equal((await shown(page, 'item1')).verdict, 'taxable');
  } finally {
    await context.close();
  }
});

test('a host stylesheet with aggressive global rules leaves the element\'s layout intact', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    await scan(page, 'item1', fx.approved);
    // The host page decides the box the element gets (here a fixed 520 px block, set inline so that
    // both states give the same); what is inside that box is the element's own.
    await page.evaluate(() => {
      const host = document.getElementById('item1');
      host.style.display = 'block';
      host.style.width = '520px';
    });
    const boxes = () => page.evaluate(() => {
      const root = document.getElementById('item1').shadowRoot;
      return ['label', 'input', 'button', '.result', '.word', '.message'].map((sel) => {
        const r = root.querySelector(sel).getBoundingClientRect();
        return { sel, width: Math.round(r.width), height: Math.round(r.height), dx: Math.round(r.left - root.host.getBoundingClientRect().left), visible: r.width > 0 && r.height > 0 };
      });
    });
    const calm = await boxes();
    // Adopted by the document (a <style> would be refused by the page's own CSP).
    await page.evaluate(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('* { all: revert; font-size: 40px } div { display: none }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    });
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('header p')).fontSize), '40px', 'the host rules apply to the host page');
    const stormy = await boxes();
    await screenshot(page, 'element-hostile-host-css');
    for (const [i, box] of stormy.entries()) {
      assert.ok(box.visible, `${box.sel} is visible`);
      assert.deepEqual(box, calm[i], `${box.sel} keeps its size and place`);
    }
  } finally {
    await context.close();
  }
});

test('embed.html runs under the strict CSP with no violation reported', async () => {
  const { fx } = suite;
  const { context, page, errors } = await openEmbed();
  try {
    const res = await page.request.get(`${suite.server.url}/embed.html`);
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.match(csp, /style-src 'self';/);
    await scan(page, 'item1', fx.approved);
    await scan(page, 'item2', fx.ean_spec);
    await page.locator('#lang').selectOption('en');
    await settled(page, 'item2', fx.ean_spec);
    await page.getByRole('button', { name: '清除' }).click();
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    // The watch works: an inline style is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement('style');
      s.textContent = 'body { color: red }';
      document.head.append(s);
    });
    await page.waitForFunction(() => window.__cspViolations.length > 0);
    assert.match((await page.evaluate(() => window.__cspViolations))[0], /^style-src/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('keyboard only: Tab into the element, type, Enter, Tab on to the price, submit with Enter', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => {
      const a = document.activeElement;
      const inner = a?.shadowRoot?.activeElement;
      return inner ? `${a.id}>${inner.localName}` : (a?.getAttribute('name') ?? a?.localName);
    });
    assert.equal(await focused(), 'item1>input');
    // Focus is visible: the element draws an outline on its focused input.
    const outline = await page.evaluate(() => getComputedStyle(document.getElementById('item1').shadowRoot.querySelector('input')).outlineStyle);
    assert.equal(outline, 'solid');
    await page.keyboard.type(fx.approved);
    await page.keyboard.press('Enter');
    await settled(page, 'item1', fx.approved);
    assert.equal(await focused(), 'item1>input', 'focus stays for the next scan');
    assert.equal(await page.evaluate(() => {
      const i = document.getElementById('item1').shadowRoot.querySelector('input');
      return i.selectionEnd - i.selectionStart;
    }), fx.approved.length, 'the code is selected, so the next scan replaces it');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'item1>button');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'price1');
    await page.keyboard.type('120');
    await Promise.all([page.waitForURL(/tax1=exempt/), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).searchParams.get('price1'), '120');
  } finally {
    await context.close();
  }
});

test('a wasm that fails to load when the element is put on the page is loaded by the first lookup, quietly', async () => {
  const { fx } = suite;
  let failing = true;
  const wasmAnswers = [];
  const { context, page, errors } = await openEmbed('/embed.html', {
    before: async (context) => {
      await context.addInitScript(WATCH_WASM);
      await context.route('**/booktax_bg.wasm', (route) => {
        wasmAnswers.push(failing ? 503 : 200);
        return failing ? route.fulfill({ status: 503, body: 'busy' }) : route.continue();
      });
    },
  });
  try {
    // The warm-up's load was answered 503 (the glue then gives up, and the runtime forgets the load).
    await page.waitForFunction(() => window.__wasm.fetched.includes(503));
    failing = false;
    assert.equal((await scan(page, 'item1', fx.approved)).verdict, 'exempt');
    assert.deepEqual(await page.evaluate(() => window.__wasm.loaded), 1);
    assert.equal(wasmAnswers.at(-1), 200);
    assert.ok(wasmAnswers.includes(503), `${wasmAnswers}`);
    assert.deepEqual(errors, [], 'the warm-up\'s failure is not an uncaught error');
  } finally {
    await context.close();
  }
});

test('a failed lookup is an unknown decision, then a booktax-error saying why', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    const events = await page.evaluate(async (code) => {
      const el = document.getElementById('item2');
      // Answers 404 to everything: no announcement API there.
      el.baseUrl = `${location.origin}/no-api-here`;
      const seen = [];
      for (const type of ['booktax-decision', 'booktax-error']) {
        el.addEventListener(type, (e) => seen.push([type, e.detail.decision?.verdict, e.detail.error?.code ?? null]));
      }
      const result = await el.lookup(code);
      return { seen, verdict: result.decision.verdict, value: el.value };
    }, fx.approved);
    assert.deepEqual(events.seen, [['booktax-decision', 'unknown', null], ['booktax-error', 'unknown', 'not_found']]);
    assert.equal(events.value, 'unknown');
    assert.equal(await rate(page, 2), '5 %', 'unknown sells as taxable');
    assert.match(await page.locator('#log').textContent(), /booktax-error not_found/);
  } finally {
    await context.close();
  }
});

test('while a lookup runs nothing of the last verdict stays; a change mid-request cancels it cleanly; detached changes are decided on return', async () => {
  const { fx } = suite;
  await adminPost(suite.server.url, 'faults', { appid: 'slow-element', latency_ms: 700 });
  const { context, page, errors } = await openEmbed();
  try {
    await page.evaluate(() => { document.getElementById('item1').appid = 'slow-element'; });
    await page.evaluate((code) => document.getElementById('item1').lookup(code), fx.approved);
    assert.equal(await rate(page, 1), '0 %');
    // A new lookup on other terms: during it, no exempt anywhere (screen, value, form, rate).
    const during = await page.evaluate(async () => {
      const el = document.getElementById('item1');
      const first = el.lookup(el.result.code).then(() => 'resolved', (e) => e.code);
      await new Promise((r) => setTimeout(r, 200));
      const seen = {
        value: el.value,
        form: new FormData(document.getElementById('sale')).get('tax1'),
        word: el.shadowRoot.querySelector('.word').textContent,
        busy: el.shadowRoot.querySelector('.result').getAttribute('aria-busy'),
        valid: el.checkValidity(),
        rate: document.getElementById('rate1').value,
      };
      el.format = 'ebook'; // mid-request: the first lookup is cancelled, the same code decided again
      return { seen, first: await first };
    });
    assert.deepEqual(during.seen, { value: '', form: null, word: '查詢中…', busy: 'true', valid: false, rate: '' });
    assert.equal(during.first, 'aborted');
    await page.waitForFunction(() => document.getElementById('item1').result?.decision.reason === 'out_of_scope');
    assert.equal(await rate(page, 1), '5 %');

    // Detached mid-lookup and changed while away: decided again on return, never the old verdict.
    const away = await page.evaluate(async () => {
      const el = document.getElementById('item1');
      const line = el.parentElement;
      el.format = 'physical';
      await new Promise((r) => setTimeout(r, 100));
      el.remove();
      el.at = '2021-01-10T12:00';
      const detachedValue = el.value;
      line.prepend(el);
      return detachedValue;
    });
    assert.equal(away, '');
    await page.waitForFunction(() => document.getElementById('item1').result?.decision.reason === 'not_yet_effective', null, { timeout: 15000 });
    assert.deepEqual(errors, [], 'no page errors (an abort mid-fetch once trapped the wasm)');
  } finally {
    await context.close();
  }
});

test('a disabled fieldset disables the element and it submits nothing; the validity message follows lang; reset looks the code attribute up again', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    await scan(page, 'item2', fx.approved);
    const disabled = await page.evaluate(() => {
      const line = document.querySelector('fieldset[data-line="2"]');
      line.disabled = true;
      const el = document.getElementById('item2');
      const out = { input: el.shadowRoot.querySelector('input').disabled, sent: new FormData(document.getElementById('sale')).get('tax2') };
      line.disabled = false;
      out.after = el.shadowRoot.querySelector('input').disabled;
      return out;
    });
    assert.deepEqual(disabled, { input: true, sent: null, after: false });

    const messages = await page.evaluate(() => {
      const el = document.getElementById('item1');
      const zh = el.validationMessage;
      el.lang = 'en';
      return [zh, el.validationMessage];
    });
    assert.match(messages[0], /請先查詢/);
    assert.match(messages[1], /^Look a code up first/);

    const reset = await page.evaluate(async (code) => {
      const el = document.createElement('book-tax-lookup');
      el.setAttribute('name', 'cell');
      el.setAttribute('code', code);
      el.setAttribute('compact', '');
      el.appid = document.getElementById('item1').appid;
      const form = document.getElementById('sale');
      form.append(el);
      await new Promise((r) => el.addEventListener('booktax-decision', r, { once: true }));
      const again = new Promise((r) => el.addEventListener('booktax-decision', r, { once: true }));
      form.reset();
      await again;
      return new FormData(form).get('cell');
    }, fx.approved);
    assert.equal(reset, 'exempt');
  } finally {
    await context.close();
  }
});

test('compact with a code attribute: one line, verdict and title, no input; a live region announces it', async () => {
  const { fx } = suite;
  const { context, page } = await openEmbed();
  try {
    const line = await page.evaluate(async (code) => {
      const el = document.createElement('book-tax-lookup');
      el.id = 'cell';
      el.setAttribute('compact', '');
      el.appid = document.getElementById('item1').appid;
      el.style.width = '320px';
      document.querySelector('main').append(el);
      const done = new Promise((resolve) => el.addEventListener('booktax-decision', (e) => resolve(e.detail), { once: true }));
      el.code = code;
      const detail = await done;
      const root = el.shadowRoot;
      const result = root.querySelector('.result');
      return {
        verdict: detail.decision.verdict,
        formShown: getComputedStyle(root.querySelector('form')).display !== 'none',
        height: Math.round(result.getBoundingClientRect().height),
        lineHeight: Math.round(parseFloat(getComputedStyle(result).lineHeight)),
        live: result.getAttribute('role') === 'status' && result.getAttribute('aria-live') === 'polite',
        title: root.querySelector('.title').textContent,
      };
    }, fx.approved);
    assert.equal(line.verdict, 'exempt');
    assert.equal(line.formShown, false);
    assert.ok(line.height < line.lineHeight * 2, `one line: ${line.height}px for a ${line.lineHeight}px line`);
    assert.ok(line.live);
    assert.ok(line.title.length > 0);
  } finally {
    await context.close();
  }
});
