import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Debian's chromium (scripts/bootstrap.sh installs it), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
}

/** A context that fails the test on any script error or CSP violation in its pages. */
export async function openContext(browser: Browser, problems: string[], options: { locale?: string; width?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-GB', viewport: { width: options.width ?? 1200, height: 900 } });
  context.on('page', (page) => watch(page, problems));
  return context;
}

function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4[0-9][0-9]/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core, run inside the page through the DevTools protocol (the page's own CSP allows no injected script). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations, passes } = await page.evaluate<{ violations: AxeViolation[]; passes: number }>(
    'axe.run(document).then((results) => ({ violations: results.violations, passes: results.passes.length }))',
  );
  if (passes === 0) throw new Error('axe-core checked nothing on this page');
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Every piece of text a person sees or hears: text nodes, and accessible names given in attributes. */
export function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(VISIBLE_TEXTS);
}

// Runs in the page, hence a string: the test code is compiled without the DOM's types.
const VISIBLE_TEXTS = `(() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (text && node.parentElement.closest('script, style') === null) texts.push(text);
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = (element.getAttribute(name) || '').trim();
      if (value) texts.push(value);
    }
  }
  texts.push(document.title);
  return texts;
})()`;
