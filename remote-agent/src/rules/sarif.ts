/*
 * Findings as SARIF 2.1.0 (what CI systems and code-scanning views read):
 * the rules that ran as the tool's rules, each finding a result with its
 * level, its output as the message, and its source line as the location.
 * Paths under the base folder are written relative to it (%SRCROOT%).
 */
import { pathToFileURL } from 'node:url';
import { sarifLevel } from '../model/priority';
import type { FindingEvent } from '../protocol';
import { AGENT_VERSION } from '../version';
import type { RuleSummary } from './compile';

/** The SARIF schema the log names. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** the folder relative paths are taken from (the repository root in CI) */
  baseDir: string;
  /** the traced command, for the log's invocation */
  commandLine?: string;
  /** its exit status */
  exitCode?: number;
}

function location(f: FindingEvent, base: string): Record<string, unknown>[] {
  const src = f.source;
  if (!src) return [];
  const region: Record<string, number> = { startLine: src.line };
  if (src.column) region.startColumn = src.column;
  const root = base.endsWith('/') ? base : base + '/';
  const artifact = src.file.startsWith(root)
    ? { uri: src.file.slice(root.length).split('/').map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' }
    : { uri: pathToFileURL(src.file).href };
  return [{ physicalLocation: { artifactLocation: artifact, region } }];
}

/** The SARIF log of a session's findings, judged by `rules`. */
export function sarifLog(rules: readonly RuleSummary[], findings: readonly FindingEvent[], opts: SarifOptions): object {
  const index = new Map(rules.map((r, i) => [r.name, i]));
  const results = findings.map((f) => {
    const i = index.get(f.rule);
    const result: Record<string, unknown> = {
      ruleId: f.rule,
      level: sarifLevel(f.priority),
      message: { text: f.output },
      locations: location(f, opts.baseDir),
      properties: { priority: f.priority, tags: f.tags, pid: f.pid, comm: f.comm, time: new Date(f.ts).toISOString(), event: f.event.kind },
    };
    if (i !== undefined) result.ruleIndex = i;
    return result;
  });
  const base = opts.baseDir.endsWith('/') ? opts.baseDir : opts.baseDir + '/';
  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (opts.commandLine !== undefined) invocation.commandLine = opts.commandLine;
  if (opts.exitCode !== undefined) invocation.exitCode = opts.exitCode;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Runtime Lens',
          version: AGENT_VERSION,
          rules: rules.map((r) => ({
            id: r.name,
            name: r.name,
            shortDescription: { text: r.name },
            fullDescription: { text: r.desc.trim() },
            defaultConfiguration: { level: sarifLevel(r.priority), enabled: r.enabled },
            properties: { priority: r.priority, tags: r.tags },
          })),
        },
      },
      originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(base).href } },
      invocations: [invocation],
      results,
    }],
  };
}
