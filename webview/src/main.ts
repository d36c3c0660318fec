/*
 * Webview entry point (one bundle for every view): registers the toolkit
 * components, mounts the view named by #app[data-view] or by the first 'init'
 * message, forwards every message to it and says 'ready' to the extension.
 */
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import styles from './styles.css' with { type: 'text' };
import { connectHost } from './host';
import type { SessionInfo, ToWebview, ViewName } from './messages';
import { h } from './ui/dom';
import { createDependenciesView } from './views/dependenciesView';
import { createEventsView } from './views/eventsView';
import { createNetworkMapView } from './views/networkMapView';
import { createProcessTreeView } from './views/processTreeView';
import { createSummaryView } from './views/summaryView';
import { createTimelineView } from './views/timelineView';
import type { View, ViewFactory } from './views/view';

// Styles go in through CSSOM (a constructed sheet), which a strict style-src CSP allows.
const sheet = new CSSStyleSheet();
sheet.replaceSync(styles);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeTextField());

const VIEWS: Record<ViewName, ViewFactory> = {
  events: createEventsView,
  processTree: createProcessTreeView,
  networkMap: createNetworkMapView,
  timeline: createTimelineView,
  summary: createSummaryView,
  dependencies: createDependenciesView,
};

function isViewName(v: string | undefined | null): v is ViewName {
  return !!v && Object.prototype.hasOwnProperty.call(VIEWS, v);
}

function boot(): void {
  // The page provides <div id="app" data-view="..."> (or data-view on <body>); a bare page gets one.
  const app = document.getElementById('app') ?? document.getElementById('root') ?? document.body.appendChild(h('div'));
  app.id = 'app';
  app.dataset.view ??= document.body.dataset.view;
  const host = connectHost();
  const banner = h('div', { id: 'banner', class: 'banner', role: 'alert', hidden: true });
  const sessionLine = h('div', { id: 'session-state', class: 'session-line', hidden: true });
  const mountPoint = h('div', { class: 'view-root' });
  app.replaceChildren(sessionLine, banner, mountPoint);
  const showSession = (session: SessionInfo | null) => {
    sessionLine.hidden = session === null;
    if (!session) return;
    sessionLine.replaceChildren(
      h('span', { class: 'session-title' }, session.title), ...(session.host ? [' on ', h('span', { class: 'session-host' }, session.host)] : []), ' — ',
      h('span', { class: `session-state state-${session.state}` }, session.fromFile ? `${session.state} (from file)` : session.state));
  };
  let view: View | null = null;
  let viewName: ViewName | null = null;
  const queued: ToWebview[] = [];

  const mount = (name: ViewName) => {
    if (viewName === name) return;
    mountPoint.replaceChildren();
    mountPoint.className = 'view-root';
    viewName = name;
    app.dataset.view = name;
    view = VIEWS[name](mountPoint, host);
    for (const m of queued.splice(0)) view.handle(m);
    host.post({ type: 'ready', view: name });
  };

  const showError = (message: string) => {
    banner.textContent = message;
    banner.hidden = false;
  };

  window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
    const msg = ev.data;
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
    try {
      if (msg.type === 'init') {
        if (!isViewName(msg.view)) {
          showError(`Unknown view "${String(msg.view)}"; expected one of ${Object.keys(VIEWS).join(', ')}.`);
          host.post({ type: 'log', level: 'error', message: `webview: unknown view ${String(msg.view)}` });
          return;
        }
        mount(msg.view);
        showSession(msg.session);
      } else if (msg.type === 'error') {
        showError(msg.message);
      } else if (msg.type === 'reset' || msg.type === 'state') {
        banner.hidden = true;
        showSession(msg.session);
      }
      if (view) view.handle(msg); else queued.push(msg);
    } catch (err) {
      const message = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
      showError(`This view failed to handle a "${msg.type}" message: ${message.split('\n')[0]}`);
      host.post({ type: 'log', level: 'error', message: `webview ${viewName ?? '?'}: ${message}` });
    }
  });

  const initial = app.dataset.view;
  if (isViewName(initial)) mount(initial);
  else if (initial) showError(`Unknown view "${initial}"; expected one of ${Object.keys(VIEWS).join(', ')}.`);
}

boot();
