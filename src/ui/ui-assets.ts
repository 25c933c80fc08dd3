import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/database/migrator.js';

export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};
const STATIC_DIR = join(projectRoot(), 'src', 'ui', 'static');
const OWN_FILE = /^[a-z0-9-]+\.(js|css|json|html)$/;

/** The UI library and the WebAuthn half, served from node_modules by hostkeeper itself (no CDN, no build step). */
const VENDOR: Record<string, string> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
  'punycode.mjs': 'punycode/punycode.es6.js',
  'simplewebauthn-browser.js': '@simplewebauthn/browser/dist/bundle/index.umd.min.js',
};

/**
 * Every file the console serves, read once at start into Maps: a name is
 * looked up only among these keys, never among an object's inherited ones.
 */
export function loadAssets(): { own: Map<string, Asset>; vendor: Map<string, Asset> } {
  const own = new Map<string, Asset>();
  for (const dir of ['', 'i18n']) {
    for (const name of readdirSync(join(STATIC_DIR, dir))) {
      if (!OWN_FILE.test(name)) continue;
      own.set(dir ? `${dir}-${name}` : name, asset(join(STATIC_DIR, dir, name)));
    }
  }
  const vendor = new Map(Object.entries(VENDOR).map(([name, path]) => [name, asset(join(projectRoot(), 'node_modules', path))]));
  return { own, vendor };
}

function asset(path: string): Asset {
  return { type: TYPES[path.slice(path.lastIndexOf('.') + 1)], body: readFileSync(path) };
}
