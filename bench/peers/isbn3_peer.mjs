// isbn3 under Node reading and validating the benchmarks' inputs (ISBN.parse, then its ISBN-13); prints seconds per run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(`${process.argv[2]}/`);
const ISBN = require('isbn3');
const inputs = readFileSync(process.argv[3], 'ascii').split('\n').slice(0, -1);
const runs = Number(process.argv[4] ?? 3);
for (let r = 0; r < runs; r++) {
  const started = performance.now();
  let valid = 0;
  for (const x of inputs) {
    const parsed = ISBN.parse(x);
    if (parsed && parsed.isValid && parsed.isbn13) valid += 1;
  }
  console.log(`${((performance.now() - started) / 1000).toFixed(4)} ${valid}`);
}
