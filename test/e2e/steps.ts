/*
 * The hooks of an e2e suite whose steps build on each other (mocha's
 * this.bail() would, after any earlier failure anywhere in the run, skip the
 * whole suite without a word).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeServer } from './codeServer';
import type { Workbench } from './workbench';

/**
 * After a failed step, each later step fails naming it; the failed step leaves a
 * screenshot (failed-TITLE) and the end of the extension's log on stderr.
 */
export function stepsBuildOnEachOther(current: () => { wb: Workbench | undefined; server: CodeServer | undefined; outputDir: string }): void {
  let failedStep: string | undefined;
  beforeEach(function () {
    if (failedStep) throw new Error(`not run: the step "${failedStep}" failed, and the steps after it build on it`);
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failedStep ??= this.currentTest.title;
    const { wb, server, outputDir } = current();
    if (wb) await wb.screenshot(`failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
    const log = server?.extensionLog('Runtime Lens');
    if (log) console.error(`--- last lines of the extension's log (${log}):\n${readFileSync(log, 'utf8').split('\n').slice(-20).join('\n')}`);
    if (server) console.error(`--- code-server log: ${server.logFile}; browser console: ${path.join(outputDir, 'browser-console.log')}`);
  });
}
