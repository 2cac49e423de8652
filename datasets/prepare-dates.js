// Writes the date-normalisation set of the translation example (run by build/setup.sh):
//   dates.tsv   Split, Source, Target   a human-readable date -> its ISO form YYYY-MM-DD
// As in the curriculum's exercise: many formats (numeric with three separators, short and long month names,
// weekdays, ordinal-free day-first and month-first orders, two- and four-digit years) in lower, title and
// upper case. Dates are drawn uniformly from 1970-01-01 to 2069-12-31, so a two-digit year is unambiguous
// (70-99: 19xx, 00-69: 20xx). Seeded: the same file every time. 20,000 train, 1,000 valid, 1,000 test rows;
// no source string is in two splits.
'use strict';
const fs = require('fs');
const path = require('path');

const cache = path.join(__dirname, '.cache');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// mulberry32: a small seeded generator, so that the set does not depend on Node's Math.random.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, w) => String(n).padStart(w, '0');
const FORMATS = [
  (d, m, y, w) => `${m + 1}/${d}/${pad(y % 100, 2)}`,            // 3/4/79 (short, month first)
  (d, m, y, w) => `${pad(d, 2)}.${pad(m + 1, 2)}.${pad(y % 100, 2)}`, // 04.03.79 (day first)
  (d, m, y, w) => `${d} ${pad(m + 1, 2)} ${pad(y % 100, 2)}`,     // 4 03 79
  (d, m, y, w) => `${y}/${pad(m + 1, 2)}/${pad(d, 2)}`,           // 1979/03/04
  (d, m, y, w) => `${MONTHS[m].slice(0, 3)} ${d}, ${y}`,           // Mar 4, 1979 (medium)
  (d, m, y, w) => `${MONTHS[m]} ${d}, ${y}`,                       // March 4, 1979 (long)
  (d, m, y, w) => `${DAYS[w]}, ${MONTHS[m]} ${d}, ${y}`,           // Sunday, March 4, 1979 (full)
  (d, m, y, w) => `${d} ${MONTHS[m].slice(0, 3)} ${y}`,            // 4 Mar 1979
  (d, m, y, w) => `${d} ${MONTHS[m]} ${y}`,                        // 4 March 1979
  (d, m, y, w) => `${pad(d, 2)} ${MONTHS[m].slice(0, 3)} ${y}`,    // 04 Mar 1979
  (d, m, y, w) => `${d} ${MONTHS[m].slice(0, 3)}, ${y}`,           // 4 Mar, 1979
  (d, m, y, w) => `${d} ${MONTHS[m]}, ${y}`,                       // 4 March, 1979
  (d, m, y, w) => `${pad(d, 2)}, ${MONTHS[m].slice(0, 3)} ${y}`,   // 04, Mar 1979
  (d, m, y, w) => `${MONTHS[m]} ${d} ${y}`,                        // March 4 1979
  (d, m, y, w) => `${DAYS[w].slice(0, 3)} ${d} ${MONTHS[m].slice(0, 3)} ${pad(y % 100, 2)}`, // Sun 4 Mar 79
  (d, m, y, w) => `${DAYS[w]} ${d} ${MONTHS[m]} ${y}`,             // Sunday 4 March 1979
];
const CASES = [(s) => s.toLowerCase(), (s) => s, (s) => s.toUpperCase()];

function draw(random) {
  const start = Date.UTC(1970, 0, 1), end = Date.UTC(2069, 11, 31);
  const day = new Date(start + Math.floor(random() * ((end - start) / 86400000 + 1)) * 86400000);
  const d = day.getUTCDate(), m = day.getUTCMonth(), y = day.getUTCFullYear(), w = day.getUTCDay();
  const format = FORMATS[Math.floor(random() * FORMATS.length)];
  const text = CASES[Math.floor(random() * CASES.length)](format(d, m, y, w));
  return [text, `${y}-${pad(m + 1, 2)}-${pad(d, 2)}`];
}

const random = generator(20261202);
const seen = new Set();
const rows = [];
for (const [split, count] of [['train', 20000], ['valid', 1000], ['test', 1000]]) {
  let made = 0;
  while (made < count) {
    const [source, target] = draw(random);
    if (seen.has(source)) continue;
    seen.add(source);
    rows.push([split, source, target]);
    made++;
  }
}
fs.mkdirSync(cache, { recursive: true });
const file = path.join(cache, 'dates.tsv');
fs.writeFileSync(file + '.tmp', ['Split\tSource\tTarget'].concat(rows.map((r) => r.join('\t'))).join('\n') + '\n');
fs.renameSync(file + '.tmp', file);
console.log(`prepare-dates: dates.tsv: ${rows.length} rows (train 20000, valid 1000, test 1000)`);
