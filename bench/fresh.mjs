// The fresh-machine figure (BENCH_FRESH=1): `cargo xtask serve` from a clean clone, with an empty cargo home and npm cache, to the page served.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, readdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../tests/e2e/harness.mjs';

// rustup's proxies are what a fresh machine has (the README's one prerequisite besides Node and Debian); every other
// tool in ~/.cargo/bin (wasm-bindgen, wasm-pack, …) is left out, so `serve` has to do without it or build it again.
const RUSTUP_PROXIES = ['cargo', 'cargo-clippy', 'cargo-fmt', 'clippy-driver', 'rustc', 'rustdoc', 'rustfmt', 'rustup'];

/** A loopback port nothing listens on now, so that what answers there can only be the serve being timed. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves when `url` answers 200, polling every 250 ms; rejects when `child` exits first. */
function servedBy(child, url) {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`cargo xtask serve exited (${code}) before serving ${url}`)));
    const poll = () => fetch(url).then((r) => (r.ok ? resolve() : setTimeout(poll, 250)), () => setTimeout(poll, 250));
    poll();
  });
}

/** Times `cargo xtask serve` from a clean clone of HEAD until the page and its wasm are served; returns seconds and what setup printed. */
export async function freshMachine() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'booktax-fresh-'));
  try {
    const clone = path.join(dir, 'booktax');
    execFileSync('git', ['clone', '-q', '--no-local', REPO_ROOT, clone]);
    const cargoHome = path.join(dir, 'cargo-home');
    const proxies = path.join(dir, 'rustup-bin');
    await mkdir(path.join(cargoHome, 'bin'), { recursive: true });
    await mkdir(proxies);
    const userBin = path.join(os.homedir(), '.cargo', 'bin');
    const have = new Set(await readdir(userBin));
    for (const p of RUSTUP_PROXIES.filter((p) => have.has(p))) await symlink(path.join(userBin, p), path.join(proxies, p));
    const systemPath = (process.env.PATH ?? '').split(':').filter((p) => p && path.resolve(p) !== userBin && !p.includes('node_modules'));
    const env = {
      ...process.env,
      CARGO_HOME: cargoHome,
      CARGO_TARGET_DIR: path.join(clone, 'target'),
      npm_config_cache: path.join(dir, 'npm-cache'),
      PATH: [path.join(cargoHome, 'bin'), proxies, ...systemPath].join(':'),
    };
    const port = await freePort();
    const started = performance.now();
    const child = spawn('cargo', ['xtask', 'serve', '--listen', `127.0.0.1:${port}`], { cwd: clone, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    // Each line of the log with the seconds since the start, so a slow step can be found.
    let log = '';
    let partial = '';
    child.stderr.on('data', (d) => {
      const at = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      log += lines.filter(Boolean).map((l) => `${at} ${l}\n`).join('');
    });
    try {
      await servedBy(child, `http://127.0.0.1:${port}/pkg/booktax_bg.wasm`);
      const seconds = (performance.now() - started) / 1000;
      const setup = log.split('\n').filter((l) => / (setup: |xtask serve:|\s*Finished )/.test(l)).map((l) => l.trim());
      return { seconds, setup, log, measured: new Date().toISOString().slice(0, 16) };
    } finally {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await freshMachine(), null, 1));
