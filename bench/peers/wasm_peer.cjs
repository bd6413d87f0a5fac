// The booktax wasm (nodejs build) under Node reading and validating the benchmarks' inputs; prints, per run, the seconds of
// one readCodes call over the whole text, of the same with each code then made a string, and of one normalizeCode call per input.
const { readFileSync } = require('node:fs');
const booktax = require(process.argv[2]);

const text = readFileSync(process.argv[3], 'ascii');
const inputs = text.split('\n').slice(0, -1);
const runs = Number(process.argv[4] ?? 3);
for (let r = 0; r < runs; r++) {
  let started = performance.now();
  const { kinds } = booktax.readCodes(text);
  let valid = 0;
  for (const k of kinds) if (k !== 0) valid += 1;
  const batch = (performance.now() - started) / 1000;

  started = performance.now();
  const list = booktax.readCodes(text);
  const all = Buffer.from(list.digits.buffer, list.digits.byteOffset, list.digits.length).toString('latin1');
  const codes = [];
  for (let i = 0; i < list.kinds.length; i++) if (list.kinds[i] !== 0) codes.push(all.slice(13 * i, 13 * i + 13));
  const strings = (performance.now() - started) / 1000;

  started = performance.now();
  let validOne = 0;
  for (const x of inputs) {
    try {
      booktax.normalizeCode(x);
      validOne += 1;
    } catch {
      // not a code
    }
  }
  const perCall = (performance.now() - started) / 1000;
  if (validOne !== valid || codes.length !== valid) throw new Error(`readCodes read ${valid} codes, normalizeCode ${validOne}`);
  console.log(`${batch.toFixed(4)} ${strings.toFixed(4)} ${perCall.toFixed(4)} ${valid}`);
}
