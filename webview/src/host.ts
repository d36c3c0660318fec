/*
 * The webview's only link to the extension: acquireVsCodeApi() is called once
 * here, and views receive this narrow, typed surface (so tests and dev.html
 * can provide their own).
 */
import type { FromWebview } from './messages';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What views may do with the extension: post typed messages and persist their UI state. */
export interface Host {
  post(msg: FromWebview): void;
  /** per-view state that survives the panel being hidden and shown */
  loadState<T extends object>(view: string): Partial<T>;
  saveState(view: string, state: object): void;
}

/** Connect to the extension host (call once per page). */
export function connectHost(): Host {
  const api = acquireVsCodeApi();
  let all = (api.getState() as Record<string, object> | undefined) ?? {};
  return {
    post: (msg) => api.postMessage(msg),
    loadState: <T extends object>(view: string) => (all[view] ?? {}) as Partial<T>,
    saveState: (view, state) => {
      all = { ...all, [view]: state };
      api.setState(all);
    },
  };
}
