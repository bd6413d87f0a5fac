// The long benchmarks alone (about 15 minutes), between full runs of `cargo xtask bench`: measures them into
// target/bench/long.json, which the next `cargo xtask bench` without BENCH_LONG shows, dated, and prints a summary.
// BOOKTAX_SERVER_BIN must point at a release build of the service, and the site must be built (`cargo xtask build` makes target/site).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, SITE } from '../tests/e2e/harness.mjs';
import { longBenchmarks } from './long.mjs';

/** min / median / p99 / max of a list of numbers, rounded to 0.1. */
function spread(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const at = (q) => Math.round(10 * v[Math.min(v.length - 1, Math.floor(q * (v.length - 1) + 0.5))]) / 10;
  return { n: v.length, min: at(0), p50: at(0.5), p99: at(0.99), max: at(1) };
}

const www = SITE;
const long = { ...(await longBenchmarks({ www })), measured: new Date().toISOString().slice(0, 16) };
await mkdir(path.join(REPO_ROOT, 'target', 'bench'), { recursive: true });
await writeFile(path.join(REPO_ROOT, 'target', 'bench', 'long.json'), JSON.stringify(long));
console.log(JSON.stringify({
  measured: long.measured,
  sync: long.sync,
  floors: long.floors,
  opens: spread(long.opens),
  fromMirror: spread(long.fromMirror.map((r) => r.ms)),
  fromLive: long.fromLive.map((r) => r.ms),
  live: { codes: long.live.codes, ours: spread(long.live.ours), fetch: spread(long.live.fetch), node: spread(long.live.node) },
  mirrorScans: { ...spread(long.mirrorScans.total), sources: long.mirrorScans.sources },
  duringSync: { ...spread(long.duringSync.total), sources: long.duringSync.sources, syncDays: long.duringSync.syncDays, syncTotal: long.duringSync.syncTotal, stillSyncing: long.duringSync.stillSyncing },
  pageDuringSync: { ...spread(long.pageDuringSync.total), sources: long.pageDuringSync.sources, syncDays: long.pageDuringSync.syncDays, syncTotal: long.pageDuringSync.syncTotal, stillSyncing: long.pageDuringSync.stillSyncing },
}, null, 1));
