import { join } from 'node:path';

/** Leading zero bits of SHA-256(challenge "." nonce): about 65,000 hashes, a few tenths of a second on a phone. */
export const POW_BITS = 16;
export const PASS_SECONDS = 3600;
const CHALLENGE_SECONDS = 120;

export const PASS_COOKIE = 'hk_pass';
export const VERIFIER_PATH = '/.well-known/hostkeeper-pass';
export const CHALLENGE_ASSETS_PATH = '/.well-known/hostkeeper-challenge/';

/** Where the defence files live under STATE_DIR: the module and pages are public, `keys/` is root's alone. */
export function defenceDir(stateDir: string): { dir: string; module: string; pages: string; keys: string } {
  const dir = join(stateDir, 'defence');
  return { dir, module: join(dir, 'hk-defence.js'), pages: join(dir, 'pages'), keys: join(dir, 'keys') };
}

/** The root-only file that hands a site's pass key to nginx's master, which reads it at load time. */
export function passKeyFile(stateDir: string, siteKey: string): string {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(siteKey) || siteKey.includes('..')) throw new Error(`not a valid site key: ${JSON.stringify(siteKey)}`);
  return join(defenceDir(stateDir).keys, `${siteKey}.conf`);
}

export function passKeyConf(key: string): string {
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(key)) throw new Error('a pass key must be base64url');
  return `set $hk_pass_key "${key}";\n`;
}

/**
 * The njs module nginx runs itself: `passOk` (js_set) checks the pass cookie
 * on every request; `verify` (js_content) hands out challenges and, for a
 * solved one, a pass. Passes and challenges are HMAC-SHA256 over the client
 * address and an expiry, with the site's key, so nothing is stored anywhere.
 */
export const NJS_MODULE = `var crypto = require('crypto');
var BITS = ${POW_BITS};
var PASS_SECONDS = ${PASS_SECONDS};
var CHALLENGE_SECONDS = ${CHALLENGE_SECONDS};

function mac(r, text) {
  return crypto.createHmac('sha256', r.variables.hk_pass_key).update(text + '|' + r.variables.remote_addr).digest('base64url');
}

function same(a, b) {
  if (a.length !== b.length) return false;
  var diff = 0;
  for (var i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function valid(r, kind, value) {
  var m = /^(\\d{10})\\.([A-Za-z0-9_-]{43})$/.exec(value || '');
  if (!m || Number(m[1]) * 1000 <= Date.now()) return false;
  return same(mac(r, kind + '|' + m[1]), m[2]);
}

function token(r, kind, seconds) {
  var expires = String(Math.floor(Date.now() / 1000) + seconds);
  return expires + '.' + mac(r, kind + '|' + expires);
}

function passOk(r) {
  return valid(r, 'p', r.variables.cookie_${PASS_COOKIE}) ? '1' : '0';
}

function leadingZeroBits(hex) {
  var bits = 0;
  for (var i = 0; i < hex.length; i++) {
    var v = parseInt(hex[i], 16);
    if (v === 0) { bits += 4; continue; }
    return bits + (v < 2 ? 3 : v < 4 ? 2 : v < 8 ? 1 : 0);
  }
  return bits;
}

function verify(r) {
  r.headersOut['Cache-Control'] = 'no-store';
  var c = r.args.c, n = r.args.n;
  if (c === undefined && n === undefined) {
    r.headersOut['Content-Type'] = 'application/json';
    return r.return(200, JSON.stringify({ challenge: token(r, 'c', CHALLENGE_SECONDS), bits: BITS }));
  }
  if (!/^[0-9]{1,12}$/.test(n || '') || !valid(r, 'c', c)) return r.return(403);
  if (leadingZeroBits(crypto.createHash('sha256').update(c + '.' + n).digest('hex')) < BITS) return r.return(403);
  var secure = r.variables.https === 'on' ? '; Secure' : '';
  r.headersOut['Set-Cookie'] = '${PASS_COOKIE}=' + token(r, 'p', PASS_SECONDS) + '; Path=/; Max-Age=' + PASS_SECONDS + '; HttpOnly; SameSite=Lax' + secure;
  return r.return(204);
}

export default { passOk: passOk, verify: verify };
`;

/** Served with status 403 to a visitor without a pass; no inline script, so its own CSP can forbid them. */
export const CHALLENGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="robots" content="noindex">
<title>One moment…</title></head>
<body style="font-family:sans-serif;max-width:32em;margin:4em auto;padding:0 1em">
<h1>One moment…</h1>
<p id="hk-status">This site is protecting itself from a flood of automated requests. Your browser is doing a small calculation; the page opens by itself in a second.</p>
<noscript><p>Please turn on JavaScript for this site: it is needed to get past the protection.</p></noscript>
<script src="${CHALLENGE_ASSETS_PATH}pow.js"></script>
</body></html>
`;

/**
 * The visitor's half: a plain SHA-256 (WebCrypto is missing on plain HTTP),
 * the search for a nonce, and one request for the pass. `hkSolve` is global
 * so the same file can be exercised outside a browser.
 */
export const POW_JS = `(function (root) {
  'use strict';
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  var W = new Int32Array(64);
  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
  function sha256Words(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) & 0xff);
    var bitLength = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var s = 56; s >= 0; s -= 8) bytes.push(s >= 32 ? 0 : (bitLength >>> s) & 0xff);
    var h = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19];
    for (var off = 0; off < bytes.length; off += 64) {
      for (var t = 0; t < 16; t++) W[t] = (bytes[off+4*t] << 24) | (bytes[off+4*t+1] << 16) | (bytes[off+4*t+2] << 8) | bytes[off+4*t+3];
      for (t = 16; t < 64; t++) {
        var s0 = rotr(W[t-15], 7) ^ rotr(W[t-15], 18) ^ (W[t-15] >>> 3);
        var s1 = rotr(W[t-2], 17) ^ rotr(W[t-2], 19) ^ (W[t-2] >>> 10);
        W[t] = (W[t-16] + s0 + W[t-7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    return h;
  }
  function zeroBits(h) {
    var bits = 0;
    for (var i = 0; i < 8; i++) {
      if (h[i] === 0) { bits += 32; continue; }
      return bits + Math.clz32(h[i]);
    }
    return bits;
  }
  function solve(challenge, bits) {
    for (var n = 0; ; n++) if (zeroBits(sha256Words(challenge + '.' + n)) >= bits) return n;
  }
  root.hkSolve = solve;
  root.hkSha256Words = sha256Words;
  if (typeof document === 'undefined') return;
  var path = '${VERIFIER_PATH}';
  fetch(path, { credentials: 'same-origin', cache: 'no-store' })
    .then(function (res) { return res.json(); })
    .then(function (task) {
      var n = solve(task.challenge, task.bits);
      return fetch(path + '?c=' + encodeURIComponent(task.challenge) + '&n=' + n, { credentials: 'same-origin', cache: 'no-store' });
    })
    .then(function (res) {
      if (res.status !== 204) throw new Error('refused');
      location.reload();
    })
    .catch(function () {
      document.getElementById('hk-status').textContent = 'The check did not succeed. Reload the page to try again.';
    });
})(this);
`;
