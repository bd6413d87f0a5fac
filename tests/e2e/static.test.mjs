// Static checks of www/ and of the site made from it: no HTML-string DOM APIs, no inline script/style, no external hosts, file headers, what is sent.
// (The page's weight is measured, not asserted, by `cargo xtask build`: budgets belong to the benchmarks.)
import { test } from 'node:test';
import http from 'node:http';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { APPID, REPO_ROOT, SITE, launchBrowser, startServer } from './harness.mjs';

// The page's sources; the service serves the site the build makes of them (SITE).
const WWW = path.join(REPO_ROOT, 'www');

// The page's and the element's own sources (www/pkg/ is build output, the element's copied from element/).
async function ownFiles() {
  const out = [];
  for (const dir of [WWW, path.join(REPO_ROOT, 'element')]) {
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      const rel = path.relative(WWW, full);
      if (rel.split(path.sep)[0] === 'pkg') continue;
      if (/\.(html|js|mjs|css)$/.test(rel)) out.push({ rel, text: await readFile(full, 'utf8') });
    }
  }
  return out;
}

test('no HTML-string DOM APIs anywhere in the page sources', async () => {
  const files = await ownFiles();
  assert.ok(files.some((f) => f.rel === 'app.js'), 'app.js found');
  assert.ok(files.some((f) => f.rel.endsWith('lookup-view.js')), 'the element\'s view found');
  for (const { rel, text } of files) {
    for (const bad of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) {
      assert.ok(!text.includes(bad), `${rel} uses ${bad}`);
    }
  }
});

test('every source file opens with a one-line comment saying what it holds', async () => {
  for (const { rel, text } of await ownFiles()) {
    const head = text.split('\n').slice(0, 2).join('\n');
    assert.match(head, rel.endsWith('.html') ? /<!--.+-->/ : rel.endsWith('.css') ? /^\/\*.+\*\// : /^\/\/ \S/, rel);
  }
});

test('index.html and embed.html: lang, no copy of the CSP (the server\'s header is the one policy), no inline scripts, styles or handlers', async () => {
  const embed = await readFile(path.join(WWW, 'embed.html'), 'utf8');
  assert.match(embed, /<html lang="zh-Hant-TW">/);
  assert.doesNotMatch(embed, /http-equiv="Content-Security-Policy"|<style\b|\sstyle="|\son[a-z]+="/);
  for (const script of embed.match(/<script\b[^>]*>/g) ?? []) assert.match(script, /\bsrc="[^"]+"/, `inline script: ${script}`);
  const html = await readFile(path.join(WWW, 'index.html'), 'utf8');
  assert.match(html, /<html lang="zh-Hant-TW">/);
  assert.doesNotMatch(html, /http-equiv="Content-Security-Policy"/, 'a <meta> CSP would be a second policy the browser enforces too');
  for (const script of html.match(/<script\b[^>]*>/g) ?? []) assert.match(script, /\bsrc="[^"]+"/, `inline script: ${script}`);
  assert.doesNotMatch(html, /<style\b/);
  assert.doesNotMatch(html, /\sstyle="/);
  assert.doesNotMatch(html, /\son[a-z]+="/);
  assert.match(html, /<input id="code" name="code"[^>]*\bautofocus\b/);
});

test('the page is served with one strict CSP header', async () => {
  const server = await startServer();
  try {
    const res = await fetch(server.url);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.match(csp, /style-src 'self';/);
    assert.match(csp, /frame-ancestors 'self'$/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS on the page');
    // Where a browser reads a policy (a document, a worker's script, fetch(), or a client that does not say), it
    // goes; on a module or a stylesheet, which a browser never reads one from, it does not (nosniff stays), nor on
    // what can never be a document or a worker's script (wasm, JSON, text).
    const sent = async (file, dest) => {
      const r = await fetch(`${server.url}/${file}`, dest ? { headers: { 'sec-fetch-dest': dest } } : {});
      await r.arrayBuffer();
      const policy = r.headers.get('content-security-policy') === csp;
      // The referrer policy goes where the CSP does (a module or a stylesheet takes its page's).
      assert.equal(r.headers.get('referrer-policy'), policy ? 'no-referrer' : null, file);
      return [r.status, policy, r.headers.get('x-content-type-options')];
    };
    assert.deepEqual(await sent('', 'document'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('embed.html', 'iframe'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('sw.js', 'serviceworker'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('sync-worker.js', 'worker'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('sync-worker.js', 'empty'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('app.js'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('app.js', 'script'), [200, false, 'nosniff']);
    assert.deepEqual(await sent('style.css', 'style'), [200, false, 'nosniff']);
    // What can never run (the wasm, JSON, text), fetched: none; opened as a page or framed, its frame-ancestors.
    assert.deepEqual(await sent('pkg/booktax-page_bg.wasm', 'empty'), [200, false, 'nosniff']);
    assert.deepEqual(await sent('pkg/shell-version.txt', 'empty'), [200, false, 'nosniff']);
    assert.deepEqual(await sent('pkg/shell-manifest.json', 'empty'), [200, false, 'nosniff']);
    assert.deepEqual(await sent(`v1/announcement/policy_expiry_date?appid=${APPID}`, 'empty'), [200, false, 'nosniff']);
    assert.deepEqual(await sent(`v1/announcement/policy_expiry_date?appid=${APPID}`, 'document'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('pkg/shell-manifest.json', 'iframe'), [200, true, 'nosniff']);
    // A page always carries it, whatever it was asked for as (a cached copy may answer another kind of request).
    assert.deepEqual(await sent('', 'script'), [200, true, 'nosniff']);
    assert.deepEqual(await sent('embed.html', 'image'), [200, true, 'nosniff']);
  } finally {
    await server.stop();
  }
});

test("in the browser: the page and the Workers' scripts carry the policy, the modules and the stylesheet do not", async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    /** @type {Map<string, boolean>} */
    const policy = new Map();
    page.on('response', (r) => {
      const headers = r.headers();
      // The referrer policy goes with the CSP: a Worker's script without it would send the page's origin to the ministry.
      assert.equal(headers['referrer-policy'], headers['content-security-policy'] ? 'no-referrer' : undefined, r.url());
      policy.set(new URL(r.url()).pathname, Boolean(headers['content-security-policy']));
    });
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    // A Worker of the page's: its script is asked for as a worker.
    await page.evaluate(() => new Promise((resolve) => {
      const w = new Worker('sync-worker.js', { type: 'module' });
      setTimeout(() => { w.terminate(); resolve(undefined); }, 500);
    }));
    await page.waitForTimeout(200);
    assert.deepEqual(
      ['/', '/sync-worker.js', '/app.js', '/pkg/booktax-page.js', '/style.css'].map((f) => [f, policy.get(f)]),
      [['/', true], ['/sync-worker.js', true], ['/app.js', false], ['/pkg/booktax-page.js', false], ['/style.css', false]],
    );
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('no external assets: the only outside address is the ministry announcement link and the CSP', async () => {
  for (const { rel, text } of await ownFiles()) {
    const urls = (text.match(/https?:\/\/[^\s"'<>`);]+/g) ?? []).filter((u) => !/^https?:\/\/(127\.0\.0\.1|localhost)\b/.test(u));
    for (const u of urls) {
      const allowed = rel === 'index.html' && (
        u === 'https://test.smartfun.com.tw/book_tax_relief_apply/announcement.do' ||
        u === 'https://tax.moc.gov.tw' || u === 'https://test.smartfun.com.tw' || u === 'https://…');
      assert.ok(allowed, `${rel} mentions ${u}`);
    }
  }
  const html = await readFile(path.join(WWW, 'index.html'), 'utf8');
  for (const link of html.match(/<a\b[^>]*>/g) ?? []) {
    if (/href="https?:/.test(link)) assert.match(link, /rel="noopener noreferrer"/, link);
  }
});

// The wasm as a browser receives it: raw bytes off the socket, nothing decompressed.
function wireBytes(url, encoding) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      let n = 0;
      res.on('data', (chunk) => { n += chunk.length; });
      res.on('end', () => resolve({ status: res.statusCode, encoding: res.headers['content-encoding'], bytes: n }));
    }).on('error', reject);
  });
}

// Whether it is compressed, not how small it is: the size is a budget, measured by the build and the benchmarks.
test('both wasms go out compressed with brotli or gzip, well under half their size', async () => {
  const server = await startServer();
  try {
    for (const wasm of ['booktax-page_bg.wasm', 'booktax_bg.wasm']) {
      const { size } = await stat(path.join(SITE, 'pkg', wasm));
      for (const encoding of ['br', 'gzip']) {
        const got = await wireBytes(`${server.url}/pkg/${wasm}`, encoding);
        assert.equal(got.status, 200);
        assert.equal(got.encoding, encoding);
        assert.ok(got.bytes < size * 0.45, `${wasm}, ${encoding}: ${got.bytes} of ${size} bytes`);
      }
    }
  } finally {
    await server.stop();
  }
});

// bindgen/ renames them in the wasm and its glue alike; the page and the Workers linking at all is the rest of this suite.
test("both wasms take their glue's imports under short names, not wasm-bindgen's hashed ones", async () => {
  for (const [wasm, glue] of [['booktax-page_bg.wasm', 'booktax-page.js'], ['booktax_bg.wasm', 'booktax.js']]) {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(await readFile(path.join(SITE, 'pkg', wasm))));
    assert.ok(imports.length > 50, `${wasm}: ${imports.length} imports`);
    // The first carries the build's fingerprint, so a glue and a wasm of two builds cannot link.
    assert.match(imports[0].name, /^a_[0-9a-f]{8}$/, wasm);
    assert.deepEqual(imports.slice(1).filter((i) => !/^[a-zA-Z]{1,2}$/.test(i.name)).map((i) => i.name), [], wasm);
    assert.doesNotMatch(await readFile(path.join(SITE, 'pkg', glue), 'utf8'), /__wbg_\w+_[0-9a-f]{16}\b/, glue);
  }
});

// Slicing a str at an index the compiler cannot prove a char boundary keeps core's panic for it, whose
// message quotes the char with Debug and so brings Unicode's printable tables: 3.4 KB brotli of each wasm.
test("neither wasm carries core's char-boundary panic (str slicing; use strip_prefix, split_at_checked, get)", async () => {
  for (const wasm of ['booktax-page_bg.wasm', 'booktax_bg.wasm']) {
    const bytes = await readFile(path.join(SITE, 'pkg', wasm));
    assert.ok(bytes.length > 100_000, `${wasm}: ${bytes.length} bytes`);
    assert.equal(bytes.indexOf('is not a char boundary'), -1, wasm);
  }
});

/** The files an HTML page preloads (modulepreload and preload links), in the page's order. */
const preloadsOf = (html) => [...html.matchAll(/<link rel="(?:modulepreload|preload)" href="([^"]+)"/g)].map((m) => m[1]);

/** A module's static imports (with or without bindings) and theirs, as paths under www/. */
async function importGraph(entry) {
  const graph = new Set();
  const visit = async (file) => {
    const source = await readFile(path.join(WWW, file), 'utf8');
    for (const [, dep] of source.matchAll(/^import (?:[^;]*? from )?'(\.\.?\/[^']+)';$/gm)) {
      const at = path.posix.normalize(path.posix.join(path.posix.dirname(file), dep));
      if (!graph.has(at)) {
        graph.add(at);
        await visit(at);
      }
    }
  };
  await visit(entry);
  return graph;
}

/** Every one of `files` is served (200) by the local service. */
async function assertServed(files) {
  const server = await startServer();
  try {
    for (const file of files) assert.equal((await fetch(`${server.url}/${file}`)).status, 200, file);
  } finally {
    await server.stop();
  }
}

test('what embed.html preloads is the module graph of embed.js and the element, and the wasm', async () => {
  const html = await readFile(path.join(WWW, 'embed.html'), 'utf8');
  const preloaded = preloadsOf(html);
  const graph = await importGraph('embed.js');
  assert.ok(graph.has('pkg/book-tax-lookup.js') && graph.has('pkg/booktax.js'), [...graph].join(' '));
  assert.deepEqual(preloaded.filter((f) => !f.endsWith('.wasm')).sort(), [...graph].sort(), 'preloads = the static import graph');
  assert.deepEqual(preloaded.filter((f) => f.endsWith('.wasm')), ['pkg/booktax_bg.wasm']);
  await assertServed(preloaded);
});

test('what index.html preloads is what app.js imports before it is ready, accept.js\'s imports first, and every preload is served', async () => {
  const html = await readFile(path.join(WWW, 'index.html'), 'utf8');
  const preloaded = preloadsOf(html);
  // The graph the page waits for (pkg/ is imported by loadModule).
  const graph = await importGraph('app.js');
  // A module the page names as a script of its own (accept.js, before app.js) is asked for without a preload.
  const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ['accept.js', 'app.js'], 'accept.js runs first: it takes scans before the page can decide');
  for (const script of scripts) graph.delete(script);
  assert.deepEqual(preloaded.filter((f) => !f.startsWith('pkg/')).sort(), [...graph].sort(), 'preloads = the static import graph');
  assert.deepEqual(preloaded.filter((f) => f.startsWith('pkg/')).sort(), ['pkg/booktax-page.js', 'pkg/booktax-page_bg.wasm']);
  // accept.js's imports are asked for first, before app.js and the rest: over six connections to a host, a file
  // named seventh waits for one to be free (on an emulated 150 ms line, the mark came about 115 ms later).
  const acceptImports = [...(await importGraph('accept.js'))];
  assert.ok(acceptImports.length > 0, 'accept.js imports dom.js and render.js');
  assert.deepEqual(preloaded.slice(0, acceptImports.length).sort(), [...acceptImports].sort(), 'accept.js\'s imports are the first preloads');
  assert.ok(html.indexOf('<script type="module" src="app.js"') > html.indexOf(`href="${preloaded[acceptImports.length - 1]}"`), 'and come before app.js');
  await assertServed(preloaded);
});

test('the service sends each module and stylesheet minified from its source, with a source map that holds the source', async () => {
  const files = (await readdir(WWW)).filter((f) => /\.(js|css)$/.test(f));
  files.push('pkg/booktax-page.js', 'pkg/booktax.js', 'pkg/book-tax-lookup.js');
  assert.ok(files.includes('app.js') && files.includes('style.css') && files.includes('sw.js'));
  const server = await startServer();
  try {
    for (const file of files) {
      const source = await readFile(path.join(WWW, file), 'utf8');
      const res = await fetch(`${server.url}/${file}`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(res.status, 200, file);
      const sent = await res.text();
      assert.ok(sent.length < source.length * 0.85, `${file}: ${sent.length} characters sent of its source's ${source.length}`);
      const name = path.basename(file);
      const link = file.endsWith('.css') ? `/*# sourceMappingURL=${name}.map */` : `//# sourceMappingURL=${name}.map`;
      assert.ok(sent.trimEnd().endsWith(link), `${file} links its map`);
      const map = await (await fetch(`${server.url}/${file}.map`)).json();
      assert.equal(map.sourcesContent.length, 1, file);
      assert.equal(map.sourcesContent[0], source, `${file}.map holds the source`);
    }
  } finally {
    await server.stop();
  }
});

test('the service sends each page without the comments its source holds, and otherwise as written', async () => {
  const server = await startServer();
  try {
    for (const [file, url] of [['index.html', '/'], ['embed.html', '/embed.html']]) {
      const source = await readFile(path.join(WWW, file), 'utf8');
      assert.match(source, /<!--/, `${file} has comments to leave out`);
      const res = await fetch(server.url + url, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(res.status, 200, file);
      const sent = await res.text();
      assert.doesNotMatch(sent, /<!--|-->/, file);
      // The same page once the comments, and the line breaks of lines that held only a comment, are taken out.
      assert.equal(sent, source.replace(/^<!--(?:(?!-->)[\s\S])*-->\n/gm, '').replace(/<!--.*?-->/gs, ''), file);
    }
  } finally {
    await server.stop();
  }
});
