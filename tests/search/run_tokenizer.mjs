// stdin: JSON array of strings; stdout: JSON array of their token lists, from search.js.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const core = require('../../themes/default/static/search.js');
const inputs = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(inputs.map((s) => core.tokenize(s))));
