/*
 * Rule files (runtimeLens.rules, .runtime-lens/rules.yaml) checked as they
 * are opened and saved: their errors and warnings appear in the Problems
 * panel on the rule file itself, at the line and column the compiler gives.
 * New sessions load the saved files; a running session keeps the rules it
 * started with.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compileRules, type RuleFileText } from '../../../remote-agent/src/rules/compile';
import { WORKSPACE_RULES_FILE } from './ruleSettings';

/** The rule files of the workspace and the rules disabled in it (LensSettings.rules). */
export type RuleFilesSetting = () => { files: string[]; disabled: string[] };

export class RuleFileDiagnostics {
  private readonly collection = vscode.languages.createDiagnosticCollection('runtime-lens-rules');
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly setting: RuleFilesSetting, private readonly log: (line: string) => void) {
    const check = (doc: vscode.TextDocument) => {
      if (this.isRuleFile(doc.uri.fsPath)) this.check();
    };
    this.subscriptions.push(
      vscode.workspace.onDidSaveTextDocument(check),
      vscode.workspace.onDidOpenTextDocument(check),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('runtimeLens.rules') || e.affectsConfiguration('runtimeLens.disabledRules')) this.check(); }),
    );
    this.check();
  }

  private isRuleFile(file: string): boolean {
    return this.setting().files.includes(file) || file.endsWith(path.sep + WORKSPACE_RULES_FILE);
  }

  /** Compiles every rule file as a session would (the developer ruleset first) and shows each file's problems on it. */
  check(): void {
    const { files, disabled } = this.setting();
    const texts: RuleFileText[] = [];
    this.collection.clear();
    for (const file of files) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      try {
        texts.push({ path: file, text: open ? open.getText() : readFileSync(file, 'utf8') });
      } catch (e) {
        this.collection.set(vscode.Uri.file(file), [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `Runtime Lens cannot read this rule file: ${(e as Error).message}`, vscode.DiagnosticSeverity.Error)]);
      }
    }
    if (!texts.length) return;
    const result = compileRules(texts, { disabled });
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of result.errors) {
      if (!files.includes(p.file)) continue;
      const line = Math.max(0, p.line - 1);
      const col = Math.max(0, p.column - 1);
      const endLine = p.endLine !== undefined ? Math.max(0, p.endLine - 1) : line;
      const endCol = p.endColumn !== undefined ? Math.max(0, p.endColumn - 1) : Number.MAX_SAFE_INTEGER;
      const d = new vscode.Diagnostic(new vscode.Range(line, col, endLine, endCol), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'Runtime Lens rules';
      if (p.item) d.code = p.item;
      const list = byFile.get(p.file) ?? [];
      list.push(d);
      byFile.set(p.file, list);
    }
    for (const [file, diags] of byFile) this.collection.set(vscode.Uri.file(file), diags);
    this.log(`rules: ${texts.length} rule file(s) checked: ${result.compiled.length} rules run, ${result.errors.length} problem(s)`);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}
