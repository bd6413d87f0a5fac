// Batch pricing's test lists: the sample service's codes (as server/src/sample.rs makes them), ISBN-10s, boxed sets, duplicates, bad codes and blank lines, seeded.
/** An EAN-13 from its first twelve digits. */
function check13(first12) {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 ? 3 : 1);
  return first12 + String((10 - (sum % 10)) % 10);
}
const PREFIXES = ['978957', '978986', '978626'];
/** The sample service's k-th candidate ISBN (`candidate_isbn` in server/src/sample.rs). */
export function candidateIsbn(k) {
  const j = ((Math.floor(k / 3) * 7919 + 12345) % 1000000);
  return check13(PREFIXES[k % 3] + String(j).padStart(6, '0'));
}
/** The sample service's k-th candidate boxed-set EAN. */
export function candidateEan(k) {
  const j = (k * 7919 + 4242) % 1000000000;
  return check13('471' + String(j).padStart(9, '0'));
}
/** The ISBN-10 of a 978 ISBN-13. */
function isbn10(isbn13) {
  const body = isbn13.slice(3, 12);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (10 - i);
  const c = (11 - (sum % 11)) % 11;
  return body + (c === 10 ? 'X' : String(c));
}
/**
 * `n` lines: 65 % ISBN-13 (of 1.2 million candidates, so listed and not), 5 % ISBN-10, 3 % boxed sets,
 * 12 % repeats of an earlier line, 5 % bad check digits, 3 % letters, 7 % blank.
 */
export function batchLines(n, seed = 1) {
  // mulberry32: a small seeded generator, so every run prices the same list.
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const isbn = candidateIsbn(Math.floor(rnd() * 1200000));
    if (r < 0.65) lines.push(isbn);
    else if (r < 0.70) lines.push(isbn.startsWith('978') ? isbn10(isbn) : isbn);
    else if (r < 0.73) lines.push(candidateEan(Math.floor(rnd() * 12000)));
    else if (r < 0.85 && lines.length) lines.push(lines[Math.floor(rnd() * lines.length)]);
    else if (r < 0.90) lines.push(isbn.slice(0, 12) + String((Number(isbn[12]) + 1) % 10));
    else if (r < 0.93) lines.push(`abc${i}`);
    else lines.push('');
  }
  return lines;
}

/**
 * Text as Big5 bytes, as Excel on a zh-TW Windows saves a CSV: ASCII as it is, every other character
 * by the WHATWG Big5 table (read here by reversing Node's own Big5 decoder over the lead bytes A1–FE).
 */
export function big5(text) {
  const decoder = new TextDecoder('big5');
  const table = new Map();
  for (let lead = 0xa1; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail > 0x7e && trail < 0xa1) continue;
      const ch = decoder.decode(Uint8Array.of(lead, trail));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const bytes = [];
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (code < 0x80) bytes.push(code);
    else if (table.has(ch)) bytes.push(...table.get(ch));
    else throw new Error(`no Big5 for ${ch}`);
  }
  return Buffer.from(bytes);
}
