// screenshot.js FILE.html OUT.png [light|dark] [width] — a full-page screenshot of a report.
'use strict';
const { launch, open } = require('./browser.js');
(async () => {
  const [file, out, theme = 'light', width = '1400'] = process.argv.slice(2);
  const b = await launch();
  if (!b) { console.error('screenshot: chromium or playwright-core missing'); process.exit(1); }
  const rec = await open(b.context, file, { theme });
  await rec.page.setViewportSize({ width: Number(width), height: 1000 });
  await rec.page.evaluate(() => window.attnscope && window.attnscope.openSentence(window.attnscope.state.sentence));
  await rec.page.waitForTimeout(300);
  await rec.page.screenshot({ path: out, fullPage: process.env.FULL === '1' });
  console.log(JSON.stringify({ ms: rec.ms, requests: rec.requests, errors: rec.errors, dialogs: rec.dialogs }));
  await b.close();
})().catch((e) => { console.error(e); process.exit(1); });
