import { randomBytes } from 'node:crypto';
import type { ViewName } from '../../../webview/src/messages';

/** A fresh CSP nonce (128 random bits). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of every Runtime Lens webview: nothing but our script (by nonce) and theme styles. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // styles are adopted stylesheets from the bundle; the toolkit's start-up style check uses the nonce (csp-nonce meta)
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A page without script or style that states a problem (VS Code's default webview styles theme it). */
export function messageHtml(options: { title: string; message: string; details: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
<h2>${escapeHtml(options.title)}</h2>
<p role="alert">${escapeHtml(options.message)}</p>
<p>${escapeHtml(options.details)}</p>
</body>
</html>`;
}

/** The page that loads the webview bundle and tells it (data-view) which view to render. */
export function webviewHtml(options: { cspSource: string; scriptUri: string; nonce: string; view: ViewName; title: string }): string {
  const esc = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(options.cspSource, options.nonce))}">
<meta property="csp-nonce" content="${esc(options.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(options.title)}</title>
</head>
<body data-view="${esc(options.view)}">
<div id="root"></div>
<script nonce="${esc(options.nonce)}" src="${esc(options.scriptUri)}"></script>
</body>
</html>`;
}
