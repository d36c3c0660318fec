// Builds only the webview bundle (same options as scripts/build.mjs), for quick iterations on the views.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['webview/src/main.ts'],
  outfile: 'webview/dist/webview.js',
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
});
console.log('build: webview -> webview/dist/webview.js');
