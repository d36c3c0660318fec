/*
 * Drives the VS Code workbench served by code-server with playwright-core and
 * Debian's Chromium: command palette, input boxes, notifications, views and the
 * nested iframes of webviews. Every wait is on a selector or condition.
 */
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { mkdirSync, createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

/** Debian's Chromium (LENS_CHROMIUM overrides): Playwright's own browsers cannot be downloaded here. */
export const CHROMIUM = process.env.LENS_CHROMIUM ?? '/usr/bin/chromium';
/** Flags for running it as root in a VM with no GPU and no network beyond localhost. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/** Starts the system Chromium headless (LENS_E2E_HEADED=1 shows it). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: process.env.LENS_E2E_HEADED !== '1',
  });
}

/** One workbench page plus the folder its screenshots and browser log go to. */
export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly screenshotsDir: string,
    private readonly consoleLog: WriteStream,
  ) {}

  /**
   * Opens `url` and waits until the workbench, its explorer and status bar are up.
   * The browser's console goes to <outputDir>/browser-console.log.
   */
  static async open(browser: Browser, url: string, outputDir: string, screenshotsDir = path.join(outputDir, 'screenshots')): Promise<Workbench> {
    mkdirSync(outputDir, { recursive: true });
    mkdirSync(screenshotsDir, { recursive: true });
    const consoleLog = createWriteStream(path.join(outputDir, 'browser-console.log'));
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.on('console', (msg) => consoleLog.write(`[${msg.type()}] ${msg.text()}\n`));
    page.on('pageerror', (err) => consoleLog.write(`[pageerror] ${err.stack ?? err.message}\n`));
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.part.statusbar').waitFor();
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
    return new Workbench(page, screenshotsDir, consoleLog);
  }

  /** Closes the page's browser context and flushes the console log. */
  async close(): Promise<void> {
    await this.page.context().close();
    await new Promise((resolve) => this.consoleLog.end(resolve));
  }

  /** The quick input (command palette, input boxes, quick picks). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * Runs a command by its palette title: F1, type, pick the row with exactly that
   * label. The palette lists the commands known when it opened, so while
   * extensions are still registering it is reopened until the command shows up.
   */
  async runCommand(title: string, timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const input = this.quickInput.locator('input.input');
    const row = this.quickInput.locator('.monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    }).first();
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor();
      await input.fill(`>${title}`);
      const found = await row.waitFor({ timeout: Math.max(1, Math.min(5000, deadline - Date.now())) }).then(() => true, () => false);
      if (found) break;
      if (Date.now() >= deadline) {
        const offered = await this.quickInput.locator('.monaco-list-row .label-name').allTextContents();
        throw new Error(`command '${title}' is not in the palette after ${timeoutMs} ms; it offers: ${offered.slice(0, 10).join(' | ') || 'nothing'}`);
      }
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden' });
    }
    await row.click();
    // The palette hands over to the command: wait until it is closed or shows the command's own input.
    await this.page.waitForFunction(() => {
      const widget = document.querySelector<HTMLElement>('.quick-input-widget');
      const field = document.querySelector<HTMLInputElement>('.quick-input-widget input.input');
      return !widget || widget.style.display === 'none' || !field || !field.value.startsWith('>');
    }, undefined, { timeout: timeoutMs });
  }

  /** Types into the open input box and waits for it to be there first. */
  async fillInput(text: string): Promise<void> {
    const input = this.quickInput.locator('input.input');
    await input.waitFor();
    await input.fill(text);
  }

  /** Types into the open input box and accepts it with Enter. */
  async answerInput(text: string): Promise<void> {
    await this.fillInput(text);
    await this.quickInput.locator('input.input').press('Enter');
  }

  /**
   * Types into the open input box, presses Enter and waits until the box closes;
   * if it shows an error message instead, throws with that message.
   */
  async submitInput(text: string, timeoutMs = 30000): Promise<void> {
    const error = this.inputError;
    const stale = (await error.count()) > 0 ? (await error.first().innerText()).trim() : null;
    await this.fillInput(text);
    if (stale !== null) {
      // The box may still show the previous entry's error until validation of the new text ends.
      await this.page
        .waitForFunction(
          ([selector, previous]) => {
            const el = document.querySelector(selector);
            return !el || (el.textContent ?? '').trim() !== previous;
          },
          ['.quick-input-widget .quick-input-message[style*="inputValidation-error"]', stale] as const,
          { timeout: timeoutMs },
        )
        .catch(() => undefined); // the same error again: reported below
    }
    await this.quickInput.locator('input.input').press('Enter');
    const closed = this.quickInput.waitFor({ state: 'hidden', timeout: timeoutMs }).then(() => null);
    const failed = error.filter({ hasText: /\S/ }).first().waitFor({ timeout: timeoutMs }).then(() => error.first().innerText());
    const message = await Promise.any([closed, failed]).catch(() => {
      throw new Error(`the input box neither closed nor showed an error within ${timeoutMs} ms after entering '${text}'`);
    });
    if (message !== null) throw new Error(`entering '${text}' was refused: ${message.trim()}`);
  }

  /** The message under the input box while it shows an error (styled with the validation error colours). */
  get inputError(): Locator {
    return this.quickInput.locator('.quick-input-message[style*="inputValidation-error"]');
  }

  /** Notification toasts whose text matches. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notification-toast').filter({ hasText: text });
  }

  /** Waits until the active editor tab's title matches. */
  async waitForActiveTab(title: string | RegExp, timeoutMs = 30000): Promise<void> {
    await this.page.locator('.tabs-container .tab.active').filter({ hasText: title }).first().waitFor({ timeout: timeoutMs });
  }

  /** An editor tab by (part of) its title. */
  tab(title: string | RegExp): Locator {
    return this.page.locator('.tabs-container .tab').filter({ hasText: title });
  }

  /**
   * The content of the visible webview. Webviews are nested iframes: an outer
   * `iframe.webview` hosted by the workbench and the extension's document in its
   * `iframe#active-frame`. Only the active editor's webview is visible.
   */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview.ready:visible').contentFrame().locator('iframe#active-frame').contentFrame();
  }

  /** Shows a view container of the activity bar by its title (e.g. "Runtime Lens"). */
  async showActivity(title: string): Promise<void> {
    const item = this.page.locator(`.activitybar .action-item a[aria-label^="${title}"], .activitybar .action-item[aria-label^="${title}"]`);
    await item.first().waitFor({ timeout: 30000 });
    // Clicking the icon of the container already shown would hide the side bar.
    const header = this.page.locator('.part.sidebar .composite.title').filter({ hasText: title });
    if (!(await header.isVisible())) await item.first().click();
    await header.waitFor();
  }

  /**
   * Switches the colour theme through "Preferences: Color Theme" and waits until
   * the workbench carries the theme's class ('vs', 'vs-dark', 'hc-black', 'hc-light').
   */
  async setColorTheme(label: string, workbenchClass: string): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    await this.fillInput(label);
    const row = this.quickInput.locator('.monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    }).first();
    await row.click();
    await this.page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ timeout: 15000 });
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** A view pane in the side bar by its title. */
  viewPane(title: string): Locator {
    return this.page.locator('.pane').filter({ has: this.page.locator('.pane-header', { hasText: title }) });
  }

  /** Saves a PNG of the whole page to <screenshotsDir>/<name>.png. */
  async screenshot(name: string): Promise<string> {
    // Park the mouse on the status bar so no hover or tooltip covers the view.
    const viewport = this.page.viewportSize();
    if (viewport) await this.page.mouse.move(viewport.width / 2, viewport.height - 2);
    await this.page.locator('.workbench-hover-container, .monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    const file = path.join(this.screenshotsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
