// Bundles the agent, the extension and the webview with esbuild (one config, three bundles).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync, chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {Array<import('esbuild').BuildOptions & { name: string }>} */
const bundles = [
  {
    name: 'agent',
    entryPoints: ['remote-agent/src/cli.ts'],
    outfile: 'remote-agent/dist/runtime-lens.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    name: 'extension',
    entryPoints: ['extension/src/extension.ts'],
    outfile: 'extension/dist/extension.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    name: 'webview',
    entryPoints: ['webview/src/main.ts'],
    outfile: 'webview/dist/webview.js',
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
  },
];

const contexts = [];
for (const { name, ...options } of bundles) {
  if (!existsSync(path.join(root, options.entryPoints[0]))) {
    console.log(`build: ${name}: ${options.entryPoints[0]} not present, skipped`);
    continue;
  }
  const opts = {
    ...options,
    absWorkingDir: root,
    bundle: true,
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
  };
  if (watch) {
    const ctx = await esbuild.context(opts);
    await ctx.watch();
    contexts.push(ctx);
    console.log(`build: watching ${name}`);
  } else {
    await esbuild.build(opts);
    if (name === 'agent') chmodSync(path.join(root, opts.outfile), 0o755);
    console.log(`build: ${name} -> ${opts.outfile}`);
  }
}
