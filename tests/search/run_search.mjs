// Runs search.js's ranking over exported files on disk, as the browser would.
// stdin: {"dir": path, "queries": [{"q": str, "filters": {facet: [values]}, "limit": n}]}
// stdout: per query {ids, scores, exact, total, counts, bytes, files}; bytes counts every
// file the query made the engine fetch (manifest and facet column included).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const core = require('../../themes/default/static/search.js');
const { dir, queries } = JSON.parse(readFileSync(0, 'utf8'));

const out = [];
for (const { q, filters = {}, limit = 10 } of queries) {
  const fetched = new Map();  // a fresh engine per query, so bytes are a cold start
  const engine = core.createSearch(async (name) => {
    const data = readFileSync(join(dir, name));
    fetched.set(name, data.length);
    return JSON.parse(data.toString('utf8'));
  });
  const r = await engine.run(q, filters, { facets: true });
  const top = r.ranked.slice(0, limit);
  const rows = await engine.rows(top.map((h) => h.doc));
  const counts = {};
  for (const [facet, byCode] of Object.entries(r.counts)) {
    counts[facet] = {};
    for (const [code, n] of Object.entries(byCode)) {
      const entry = r.facets[facet][code];
      counts[facet][String(Array.isArray(entry) ? entry[0] : entry)] = n;
    }
  }
  out.push({
    ids: rows.map((row) => row[0]),
    scores: top.map((h) => h.score),
    exact: top.map((h) => h.exact),
    total: r.ranked.length,
    counts,
    bytes: [...fetched.values()].reduce((a, b) => a + b, 0),
    files: [...fetched.keys()].sort(),
  });
}
process.stdout.write(JSON.stringify(out));
