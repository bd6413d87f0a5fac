// The package in www/pkg is publishable: npm pack, install the tarball, bundle the element with esbuild, decide in Chromium; tsc checks a TypeScript consumer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TZ, adminFixtures, launchBrowser, startServer } from './harness.mjs';

const run = promisify(execFile);
const PKG = path.join(REPO_ROOT, 'www', 'pkg');
const SCRATCH = path.join(REPO_ROOT, 'target', 'package-test', TZ ? TZ.replaceAll('/', '_') : 'default');
const BIN = path.join(REPO_ROOT, 'node_modules', '.bin');

let tarball;
before(async () => {
  await rm(SCRATCH, { recursive: true, force: true });
  await mkdir(SCRATCH, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', SCRATCH], { cwd: PKG });
  const [packed] = JSON.parse(stdout);
  tarball = { path: path.join(SCRATCH, packed.filename), files: packed.files.map((f) => f.path).sort() };
  await writeFile(path.join(SCRATCH, 'package.json'), JSON.stringify({ name: 'intranet-example', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball.path], { cwd: SCRATCH });
});

test('the tarball holds the package and nothing else: glue, wasm, element modules, types, manifest', async () => {
  assert.deepEqual(tarball.files, [
    'LICENSE', 'README.md', 'book-tax-lookup.d.ts', 'book-tax-lookup.js', 'booktax.d.ts', 'booktax.js', 'booktax_bg.wasm', 'booktax_bg.wasm.d.ts',
    'lookup-runtime.js', 'lookup-styles.js', 'lookup-texts.js', 'lookup-view.js', 'package.json',
  ]);
  const manifest = JSON.parse(await readFile(path.join(SCRATCH, 'node_modules', 'booktax', 'package.json'), 'utf8'));
  for (const key of ['name', 'version', 'description', 'repository', 'license', 'files', 'exports', 'module', 'types']) {
    assert.ok(manifest[key], `package.json has ${key}`);
  }
  const cargo = await readFile(path.join(REPO_ROOT, 'Cargo.toml'), 'utf8');
  assert.equal(manifest.version, /\[package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)[1], 'the crate\'s version');
});

test('a bundle made by esbuild from the installed package defines the element, which decides in Chromium', async () => {
  const dist = path.join(SCRATCH, 'dist');
  await mkdir(dist, { recursive: true });
  await writeFile(path.join(SCRATCH, 'entry.js'), [
    "import { BookTaxLookup } from 'booktax/element';",
    "import { normalizeCode } from 'booktax';",
    "const el = document.createElement('book-tax-lookup');",
    "el.appid = 'booktax-sample';",
    "el.lang = 'en';",
    'document.body.append(el);',
    'window.bundled = { el, isElement: el instanceof BookTaxLookup, normalizeCode };',
    '',
  ].join('\n'));
  await run(path.join(BIN, 'esbuild'), ['entry.js', '--bundle', '--format=esm', '--outfile=dist/app.js'], { cwd: SCRATCH });
  // The wasm goes beside the bundle, where the glue looks for it (README: "With a bundler").
  await cp(path.join(SCRATCH, 'node_modules', 'booktax', 'booktax_bg.wasm'), path.join(dist, 'booktax_bg.wasm'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bundled</title><script type="module" src="app.js"></script></head><body></body></html>\n');
  const bundle = await readFile(path.join(dist, 'app.js'), 'utf8');
  assert.doesNotMatch(bundle, /^import /m, 'one self-contained module');

  const server = await startServer([], { www: dist });
  const browser = await launchBrowser();
  try {
    const fx = await adminFixtures(server.url);
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(server.url);
    await page.waitForFunction(() => window.bundled);
    const result = await page.evaluate(async (code) => {
      const { el, isElement } = window.bundled;
      const r = await el.lookup(code);
      return { isElement, code: r.code, verdict: r.decision.verdict, message: r.decision.message, shown: el.shadowRoot.querySelector('.word').textContent };
    }, fx.approved);
    assert.deepEqual([result.isElement, result.code, result.verdict, result.shown], [true, fx.approved, 'exempt', 'Exempt']);
    assert.match(result.message, /^Exempt \(approved from /);
    assert.equal(await page.evaluate(() => window.bundled.normalizeCode('957-678-000-4').code), '9789576780004');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('tsc type-checks a TypeScript consumer against the shipped declarations', async () => {
  await writeFile(path.join(SCRATCH, 'consumer.ts'), `
import init, { BookTaxClient, normalizeCode, type Lookup } from 'booktax';
import { BookTaxLookup, type LookupResult } from 'booktax/element';

export async function main(): Promise<void> {
  await init();
  const client = new BookTaxClient({ baseUrl: '', appid: 'x' });
  const answer: Lookup = await client.lookup('9789576780004', { lang: 'en', format: 'ebook' });
  const verdict: 'exempt' | 'taxable' | 'unknown' = answer.decision.verdict;
  const kind: 'isbn' | 'ean' = normalizeCode('9789576780004').kind;
  const el = document.createElement('book-tax-lookup');
  const same: BookTaxLookup = el;
  same.format = 'physical';
  el.addEventListener('booktax-decision', (event) => {
    const result: LookupResult = event.detail;
    console.log(result.decision.message, result.source, verdict, kind);
  });
  el.addEventListener('booktax-error', (event) => console.log(event.detail.error.code));
  const looked: LookupResult = await el.lookup('9789576780004');
  console.log(looked.record, el.value === 'exempt');
  // @ts-expect-error a code is text, not a number, for the element
  await el.lookup(9789576780004);
  // @ts-expect-error the format is physical or ebook
  el.format = 'audiobook';
  document.addEventListener('booktax-decision', (event) => console.log(event.detail.code));
  // @ts-expect-error value is read-only
  el.value = 'exempt';
}
`);
  await writeFile(path.join(SCRATCH, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'es2022', moduleResolution: 'bundler', lib: ['es2022', 'esnext.disposable', 'dom', 'dom.iterable'], skipLibCheck: false },
    files: ['consumer.ts'],
  }));
  // Once as a bundler resolves, once as Node's older resolution (which needs typesVersions).
  for (const resolution of ['bundler', 'node10']) {
    const config = JSON.parse(await readFile(path.join(SCRATCH, 'tsconfig.json'), 'utf8'));
    config.compilerOptions.moduleResolution = resolution;
    if (resolution === 'node10') config.compilerOptions.module = 'commonjs';
    await writeFile(path.join(SCRATCH, `tsconfig.${resolution}.json`), JSON.stringify(config));
    try {
      await run(path.join(BIN, 'tsc'), ['-p', `tsconfig.${resolution}.json`], { cwd: SCRATCH });
    } catch (e) {
      assert.fail(`tsc (${resolution}): ${e.stdout}${e.stderr}`);
    }
  }
});
