// The booktax wasm (nodejs build) under Node reading and validating the benchmarks' inputs, one normalizeCode call each; prints seconds per run.
const { readFileSync } = require('node:fs');
const booktax = require(process.argv[2]);

const inputs = readFileSync(process.argv[3], 'ascii').split('\n').slice(0, -1);
const runs = Number(process.argv[4] ?? 3);
for (let r = 0; r < runs; r++) {
  const started = performance.now();
  let valid = 0;
  for (const x of inputs) {
    try {
      booktax.normalizeCode(x);
      valid += 1;
    } catch {
      // not a code
    }
  }
  console.log(`${((performance.now() - started) / 1000).toFixed(4)} ${valid}`);
}
