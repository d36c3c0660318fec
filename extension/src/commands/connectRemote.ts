import type * as vscode from 'vscode';
import { parseHostTarget } from '../../../remote-agent/src/remote/host-target';
import type { SshConfigHost } from '../hosts/sshConfig';

/** A row of the host pick: a host of ~/.ssh/config, or what the user typed. */
export interface HostPickItem extends vscode.QuickPickItem {
  /** what to connect to; undefined when the typed text is not a host (the row says why) */
  target: string | undefined;
}

/** The parts of a vscode.QuickPick the host pick uses (a fake in tests). */
export type HostQuickPick = Pick<vscode.QuickPick<HostPickItem>,
  'title' | 'placeholder' | 'items' | 'value' | 'busy' | 'matchOnDescription' | 'matchOnDetail' | 'ignoreFocusOut'
  | 'onDidAccept' | 'onDidHide' | 'onDidChangeValue' | 'selectedItems' | 'show' | 'dispose'>;

/**
 * The rows for the text typed so far: the typed [user@]host[:port] first (or
 * why it is not one) unless it is exactly a config host, then the config hosts;
 * hosts already connected say so.
 */
export function hostPickItems(config: readonly SshConfigHost[], typed: string, connected: ReadonlyMap<string, string>): HostPickItem[] {
  const state = (target: string) => connected.get(target);
  const rows: HostPickItem[] = config.map((h) => {
    const where = `${h.user ? `${h.user}@` : ''}${h.hostName ?? h.alias}${h.port ? `:${h.port}` : ''}`;
    return {
      label: h.alias,
      description: [where !== h.alias ? where : undefined, state(h.alias)].filter(Boolean).join(' · ') || undefined,
      detail: `${h.file}:${h.line}`,
      target: h.alias,
    };
  });
  const text = typed.trim();
  if (!text || config.some((h) => h.alias === text)) return rows;
  const parsed = parseHostTarget(text);
  const row: HostPickItem = 'error' in parsed
    ? { label: text, description: 'not a host', detail: parsed.error, target: undefined, alwaysShow: true }
    : { label: text, description: ['connect to the host typed', state(parsed.target)].filter(Boolean).join(' · '), target: parsed.target, alwaysShow: true };
  return [row, ...rows];
}

export interface ConnectPickOptions {
  createQuickPick(): HostQuickPick;
  /** the hosts of ~/.ssh/config (read when the pick opens) */
  configHosts(): Promise<SshConfigHost[]>;
  /** hosts already in the Sessions view, by target, with their state */
  connected(): ReadonlyMap<string, string>;
}

/**
 * "Runtime Lens: Connect to Remote Host…": a pick of the Host entries of
 * ~/.ssh/config in which [user@]host[:port] can also be typed. Resolves the
 * target chosen, or undefined when cancelled.
 */
export function pickRemoteHost(options: ConnectPickOptions): Promise<string | undefined> {
  const pick = options.createQuickPick();
  pick.title = 'Runtime Lens: Connect to Remote Host';
  pick.placeholder = 'Pick a host of ~/.ssh/config, or type [user@]host[:port]';
  pick.matchOnDescription = true;
  pick.matchOnDetail = false;
  pick.ignoreFocusOut = true;
  pick.busy = true;
  let config: SshConfigHost[] = [];
  const refresh = () => {
    pick.items = hostPickItems(config, pick.value, options.connected());
  };
  void options.configHosts().then((hosts) => {
    config = hosts;
    pick.busy = false;
    refresh();
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (target: string | undefined) => {
      if (done) return;
      done = true;
      subs.forEach((s) => s.dispose());
      pick.dispose();
      resolve(target);
    };
    const subs = [
      pick.onDidChangeValue(refresh),
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0];
        // a row that is not a host stays open, its detail saying why
        if (chosen?.target) finish(chosen.target);
      }),
      pick.onDidHide(() => finish(undefined)),
    ];
    refresh();
    pick.show();
  });
}
