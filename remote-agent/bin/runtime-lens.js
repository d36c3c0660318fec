#!/usr/bin/env node
// `npx runtime-lens` entry from the repository: runs the bundled agent, or says how to build it.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'runtime-lens.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('runtime-lens: the agent is not built yet. Run `npm run build` (or `npm test` / `npm start`, which build it) in ' + path.resolve(__dirname, '..', '..') + '\n');
  process.exit(2);
}
require(bundle);
