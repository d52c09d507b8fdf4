// browser.js — opens report files in Debian's headless chromium through playwright-core, records
// every request, console message and dialog. Shared by the report tests and the screenshot tool.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const url = require('url');

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function loadPlaywright() {
  const roots = [process.env.NODE_PATH, path.join(__dirname, '..', '..', '.deps', 'node_modules')].filter(Boolean);
  for (const r of roots) {
    try { return require(path.join(r, 'playwright-core')); } catch (e) { /* next */ }
  }
  return null;
}

// Returns {browser, close} or null when chromium / playwright-core are not installed.
async function launch() {
  const pw = loadPlaywright();
  if (!pw || !fs.existsSync(CHROMIUM)) return null;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'attnscope-chromium-'));
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 },
  });
  const close = async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); };
  return { context, close };
}

// Opens file in a new page; returns {page, requests, errors, dialogs, ms} once the report has drawn.
async function open(context, file, opts) {
  const page = await context.newPage();
  const href = url.pathToFileURL(path.resolve(file)).href;
  const rec = { page, requests: [], errors: [], dialogs: [] };
  page.on('request', (r) => { if (r.url() !== href && !r.url().startsWith('data:')) rec.requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') rec.errors.push(m.text()); });
  page.on('pageerror', (e) => rec.errors.push(String(e)));
  page.on('dialog', (d) => { rec.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  if (opts && opts.theme) await page.emulateMedia({ colorScheme: opts.theme });
  const t0 = Date.now();
  await page.goto(href);
  await waitFor(page, () => document.body.dataset.rendered, null, (opts && opts.timeout) || 20000);
  rec.wallMs = Date.now() - t0; // includes starting a renderer process
  rec.ms = Number(await page.evaluate(() => document.body.dataset.firstRenderMs || 'NaN')); // navigation → drawn
  return rec;
}

// Polls fn(arg) in the page until truthy. (page.waitForFunction compiles its predicate with
// `new Function`, which the report's CSP rightly forbids; page.evaluate is not affected.)
async function waitFor(page, fn, arg, timeout) {
  const end = Date.now() + (timeout || 10000);
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > end) throw new Error('timed out waiting for ' + fn);
    await new Promise((r) => setTimeout(r, 15));
  }
}

module.exports = { launch, open, waitFor, CHROMIUM };
