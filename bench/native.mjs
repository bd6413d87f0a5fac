// The core against its peers: criterion's figures for the native core, then python-stdnum and isbn3 on the same million inputs,
// each installed by this script from its registry (pinned) into target/bench/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../tests/e2e/harness.mjs';

const STDNUM = 'python-stdnum==2.2';
const ISBN3 = 'isbn3@2.0.11';
const work = path.join(REPO_ROOT, 'target', 'bench');
const manifest = path.join(REPO_ROOT, 'bench', 'native', 'Cargo.toml');

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'], ...opts });

/** Criterion's throughput lines: "thrpt:  [low mid high]" in elements per second. */
function criterion() {
  const out = run('cargo', ['bench', '--manifest-path', manifest, '--bench', 'core', '--', '--noplot']);
  const figures = {};
  let name = '';
  for (const line of out.split('\n')) {
    const title = /^core\/(.+?)\s*(time:|$)/.exec(line.trim());
    if (title) name = title[1].trim();
    const m = /thrpt:\s*\[([\d.]+) (\w)elem\/s ([\d.]+) (\w)elem\/s ([\d.]+) (\w)elem\/s\]/.exec(line);
    if (m && name) {
      const unit = (u) => ({ K: 1e3, M: 1e6, G: 1e9 })[u] ?? 1;
      figures[name] = [Number(m[1]) * unit(m[2]), Number(m[3]) * unit(m[4]), Number(m[5]) * unit(m[6])];
    }
  }
  return figures;
}

export async function nativeBenchmarks() {
  mkdirSync(work, { recursive: true });
  const inputs = path.join(work, 'inputs.txt');
  writeFileSync(inputs, run('cargo', ['run', '--quiet', '--release', '--manifest-path', manifest, '--bin', 'inputs']));
  const core = criterion();
  // python-stdnum in its own virtual environment.
  const venv = path.join(work, 'venv');
  if (!existsSync(path.join(venv, 'bin', 'python'))) run('python3', ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', STDNUM]);
  const stdnum = run(path.join(venv, 'bin', 'python'), [path.join(REPO_ROOT, 'bench', 'peers', 'stdnum_peer.py'), inputs, '3'])
    .trim().split('\n').map((l) => Number(l.split(' ')[0]));
  // isbn3 from npm, in its own prefix.
  const npmDir = path.join(work, 'npm');
  mkdirSync(npmDir, { recursive: true });
  run('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefix', npmDir, ISBN3]);
  const isbn3Runs = run('node', [path.join(REPO_ROOT, 'bench', 'peers', 'isbn3_peer.mjs'), path.join(npmDir, 'node_modules'), inputs, '3'])
    .trim().split('\n').map((l) => l.split(' ').map(Number));
  const isbn3 = isbn3Runs.map((r) => r[0]);
  const wasmRuns = run('node', [path.join(REPO_ROOT, 'bench', 'peers', 'wasm_peer.cjs'), path.join(REPO_ROOT, 'target', 'pkg-node', 'booktax.js'), inputs, '3'])
    .trim().split('\n').map((l) => l.split(' ').map(Number));
  const wasm = { batch: wasmRuns.map((r) => r[0]), strings: wasmRuns.map((r) => r[1]), perCall: wasmRuns.map((r) => r[2]) };
  // What each counted as valid: isbn3 takes ISBNs in assigned ranges only, the wasm also boxed sets' EANs.
  const valid = { wasm: wasmRuns[0]?.[3], isbn3: isbn3Runs[0]?.[1] };
  return { core, stdnum, isbn3, wasm, valid, peers: { stdnum: STDNUM, isbn3: ISBN3 } };
}
