/*
 * What can be done with findings and a session's behaviour: show a finding's
 * event or process tree, open its source, disable its rule for the workspace,
 * export the findings as SARIF, save the session as a baseline or compare it
 * with one, and generate the session's seccomp profile.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DriftDetector, driftFinding, driftText } from '../../../remote-agent/src/baseline/drift';
import { parseProfile, ProfileBuilder, profileText } from '../../../remote-agent/src/baseline/profile';
import type { FindingEvent, LensEvent } from '../../../remote-agent/src/protocol';
import { compileRules } from '../../../remote-agent/src/rules/compile';
import { sarifLog } from '../../../remote-agent/src/rules/sarif';
import { seccompProfile, seccompProfileText } from '../../../remote-agent/src/seccomp/oci-profile';
import { usedSyscalls } from '../../../remote-agent/src/seccomp/used-syscalls';
import { archFromMachine, type Arch } from '../../../remote-agent/src/syscalls/names';
import { eventKey } from '../../../webview/src/messages';
import { filterTerm } from '../../../webview/src/model/filter';
import type { Place } from '../findings/findingPlace';
import type { FindingGroup } from '../findings/findingsIndex';
import type { SessionFindings } from '../findings/sessionFindings';
import type { Session } from '../session/session';
import { registerCommand, sessionArg, showError, type CommandContext } from './commandContext';

/** A finding as commands receive it: a Findings view row, a quick fix's or a notification's argument. */
function findingOf(arg: unknown): FindingEvent | undefined {
  const f = (arg as { finding?: FindingEvent } | undefined)?.finding;
  return f?.kind === 'finding' ? f : undefined;
}

function ruleOf(arg: unknown): string | undefined {
  return findingOf(arg)?.rule ?? (arg as { group?: FindingGroup } | undefined)?.group?.rule;
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function events(session: Session): LensEvent[] {
  return session.window.toArray();
}

/** The traced machine's syscall table: the agent's architecture (node's name for it), else this machine's. */
function sessionArch(ctx: CommandContext, session: Session): Arch {
  const arch = (session.agentId ? ctx.agents.find(session.agentId)?.current?.initializeResult?.capabilities.arch : undefined) ?? os.arch();
  return archFromMachine(arch === 'x64' ? 'x86_64' : arch);
}

async function saveAs(title: string, defaultFile: string, text: string): Promise<string | undefined> {
  const uri = await vscode.window.showSaveDialog({ title, defaultUri: vscode.Uri.file(defaultFile) });
  if (!uri) return undefined;
  mkdirSync(path.dirname(uri.fsPath), { recursive: true });
  writeFileSync(uri.fsPath, text);
  return uri.fsPath;
}

/** The findings, baseline and seccomp commands. */
export function registerFindingCommands(ctx: CommandContext, findings: SessionFindings): void {
  registerCommand(ctx, 'runtimeLens.openFindingSource', (arg?: unknown) => {
    const place = (arg as { place?: Place } | undefined)?.place;
    if (!place) return;
    const pos = new vscode.Position(Math.max(0, place.line - 1), Math.max(0, (place.column ?? 1) - 1));
    void vscode.window.showTextDocument(vscode.Uri.file(place.file), { selection: new vscode.Range(pos, pos) })
      .then(undefined, (err: Error) => showError(new Error(`Runtime Lens could not open ${place.file}:${place.line}: ${err.message}`)));
  });

  registerCommand(ctx, 'runtimeLens.showFindingEvent', (arg?: unknown) => {
    const f = findingOf(arg);
    if (!f) return;
    // the process's events, the finding's trigger selected (the finding row follows it)
    const panel = ctx.panels.open('events');
    panel.setFilter(filterTerm('key', f.key));
    panel.send({ type: 'select', key: eventKey(f.event), process: f.key });
  });

  registerCommand(ctx, 'runtimeLens.showFindingProcessTree', (arg?: unknown) => {
    const f = findingOf(arg);
    if (!f) return;
    ctx.panels.open('processTree').send({ type: 'select', key: eventKey(f.event), process: f.key });
  });

  registerCommand(ctx, 'runtimeLens.disableRule', async (arg?: unknown) => {
    const rule = ruleOf(arg) ?? await vscode.window.showInputBox({ title: 'Runtime Lens: rule to disable for this workspace', prompt: 'The rule\'s name, as findings show it' });
    if (!rule) return;
    const config = vscode.workspace.getConfiguration('runtimeLens');
    const disabled = config.get<string[]>('disabledRules') ?? [];
    if (!disabled.includes(rule)) await config.update('disabledRules', [...disabled, rule], vscode.ConfigurationTarget.Workspace);
    void vscode.window.showInformationMessage(`Runtime Lens: rule "${rule}" is disabled for this workspace (runtimeLens.disabledRules); sessions started from now on do not run it.`);
  });

  registerCommand(ctx, 'runtimeLens.exportSarif', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, () => true, 'export as SARIF');
    if (!session) return;
    try {
      const { files, disabled } = ctx.settings().rules;
      const rules = compileRules(files.filter((f) => existsSync(f)).map((f) => ({ path: f, text: readFileSync(f, 'utf8') })), { disabled }).rules;
      const list = findings.of(session).all();
      const base = workspaceFolder() ?? (session.target.kind === 'launch' ? session.target.cwd : undefined) ?? os.homedir();
      const log = sarifLog(rules, list, { baseDir: base, commandLine: session.target.kind === 'launch' ? session.target.command.join(' ') : undefined });
      const file = await saveAs('Runtime Lens: export findings as SARIF', path.join(base, 'runtime-lens.sarif'), JSON.stringify(log, null, 2) + '\n');
      if (file) void vscode.window.showInformationMessage(`Runtime Lens: ${list.length} finding(s) of ${session.title} written to ${file} (SARIF 2.1.0).`);
    } catch (err) {
      showError(err);
    }
  });

  registerCommand(ctx, 'runtimeLens.saveBaseline', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, (s) => !s.live, 'save as a baseline');
    if (!session) return;
    const b = new ProfileBuilder();
    b.add(events(session));
    if (session.summary.length) b.addSyscalls(session.summary.map((r) => r.name));
    const p = b.profile({ recorded: new Date(), command: session.target.kind === 'launch' ? session.target.command : undefined, arch: sessionArch(ctx, session) });
    const file = await saveAs('Runtime Lens: save the session as a baseline', path.join(workspaceFolder() ?? os.homedir(), '.runtime-lens', 'baseline.json'), profileText(p));
    if (file) {
      const counts = `${p.executables.length} executables, ${p.files.length} file groups, ${p.endpoints.length} endpoints, ${p.syscalls ? `${p.syscalls.length} syscalls` : 'no syscalls (trace with the syscount group to include them)'}`;
      void vscode.window.showInformationMessage(`Runtime Lens: baseline of ${session.title} saved to ${file}: ${counts}.`);
    }
  });

  registerCommand(ctx, 'runtimeLens.compareBaseline', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, () => true, 'compare with a baseline');
    if (!session) return;
    const picked = await vscode.window.showOpenDialog({ title: 'Runtime Lens: baseline to compare with', canSelectMany: false, filters: { 'Runtime Lens baseline': ['json'] },
      defaultUri: vscode.Uri.file(path.join(workspaceFolder() ?? os.homedir(), '.runtime-lens')) });
    const file = picked?.[0]?.fsPath;
    if (!file) return;
    try {
      const detector = new DriftDetector(parseProfile(readFileSync(file, 'utf8'), file));
      const root = workspaceFolder() ?? (session.target.kind === 'launch' ? session.target.cwd : undefined);
      const drift: FindingEvent[] = [];
      for (const e of events(session)) {
        if (e.kind === 'finding') continue;
        for (const d of detector.check(e)) drift.push(driftFinding({ ...d, event: e }, root));
      }
      const syscalls = detector.comparesSyscalls && session.summary.length ? detector.checkSyscalls(session.summary.map((r) => r.name)).map((d) => driftText(d)) : [];
      findings.add(session, drift);
      const parts = [`${drift.length} behaviour(s) of ${session.title} not in ${path.basename(file)}`];
      if (syscalls.length) parts.push(`new syscalls: ${syscalls.map((t) => t.replace(/^new: calls /, '')).join(', ')}`);
      void vscode.window.showInformationMessage(`Runtime Lens: ${parts.join('; ')}${drift.length ? ' (see the Findings view and the Problems panel)' : ''}.`);
    } catch (err) {
      showError(err);
    }
  });

  registerCommand(ctx, 'runtimeLens.generateSeccompProfile', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, () => true, 'generate a seccomp profile for');
    if (!session) return;
    const used = usedSyscalls(session.summary, events(session));
    if (!used.names.length) {
      void vscode.window.showWarningMessage(`Runtime Lens: ${session.title} counted no syscalls, so there is nothing to allow. Add "syscount" to runtimeLens.events, trace the program again, then generate the profile.`);
      return;
    }
    const arch = sessionArch(ctx, session);
    const { profile, unnamed } = seccompProfile(used.names, arch);
    const file = await saveAs('Runtime Lens: save the seccomp profile', path.join(workspaceFolder() ?? os.homedir(), 'seccomp.json'), seccompProfileText(profile));
    if (!file) return;
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const cmd = session.target.kind === 'launch' ? session.target.command.join(' ') : 'COMMAND';
    void vscode.window.showInformationMessage(`Runtime Lens: seccomp profile allowing ${profile.syscalls[0].names.length} syscalls on ${arch}${unnamed.length ? ` (left out, having no name: ${unnamed.join(', ')})` : ''}. Check it with: runtime-lens seccomp run ${path.basename(file)} -- ${cmd}`);
  });
}
