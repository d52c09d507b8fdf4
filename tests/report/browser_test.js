// browser_test.js DIR — the report pages of test_browser.sh in headless chromium. Every page:
// no network request, no console error, no dialog. Then what each view must do when used.
'use strict';
const fs = require('fs');
const path = require('path');
const { launch, open, waitFor } = require('./browser.js');

let failures = 0, passes = 0;
function check(cond, what) {
  if (cond) passes++;
  else { failures++; console.log('FAIL: ' + what); }
}
const rendered = (page) => page.evaluate(() => Number(document.body.dataset.rendered));
async function afterRender(page, before) {
  await waitFor(page, (n) => Number(document.body.dataset.rendered) > n, before, 10000);
}
const pixels = (page, sel) => page.evaluate((s) => document.querySelector(s).toDataURL(), sel);
const stats = (page, k) => page.evaluate((i) => window.attnscope.panels[i].stats, k || 0);
function clean(rec, name) {
  check(rec.requests.length === 0, name + ': network requests ' + JSON.stringify(rec.requests));
  check(rec.errors.length === 0, name + ': console errors ' + JSON.stringify(rec.errors));
  check(rec.dialogs.length === 0, name + ': dialogs ' + JSON.stringify(rec.dialogs));
}
async function selectCtl(page, label, value) {
  const n = await rendered(page);
  await page.locator('label.ctl', { hasText: label }).locator('select').first().selectOption(value);
  await afterRender(page, n);
}

async function testHeadView(ctx, dir) {
  const rec = await open(ctx, path.join(dir, 'xss.html')), page = rec.page;
  const body = await page.evaluate(() => document.body.innerText);
  check(body.includes('<script>alert(1)</script>') && body.includes('"><img src=x onerror=alert(1)>'), 'xss: sentence shown as text');
  check((await page.evaluate(() => document.images.length)) === 0, 'xss: no <img> element');
  check((await page.evaluate(() => window.attnscope.panels.length)) === 2, 'two models side by side');
  // layer and head choices change the drawing
  let before = await pixels(page, 'canvas.headview');
  await selectCtl(page, 'Layer', '1');
  check((await pixels(page, 'canvas.headview')) !== before, 'choosing layer 1 changes the head view');
  before = await pixels(page, 'canvas.headview');
  let n = await rendered(page);
  await page.locator('.legend .head').first().click();
  await afterRender(page, n);
  check((await pixels(page, 'canvas.headview')) !== before, 'toggling head 0 changes the head view');
  n = await rendered(page);
  await page.locator('.legend .head').nth(2).dblclick();
  await page.waitForTimeout(300);
  check(JSON.stringify(await page.evaluate(() => Array.from(window.attnscope.state.heads))) === '[2]', 'double-click solos head 2');
  // hovering a token isolates its lines
  const all = await stats(page);
  before = await pixels(page, 'canvas.headview');
  const at = await page.evaluate(() => window.attnscope.tokenCenter(0, 0, 3));
  await page.mouse.move(at.x, at.y);
  await page.waitForTimeout(200);
  const one = await stats(page);
  check(all.sources > 1 && one.sources === 1 && one.lines < all.lines, 'hover isolates one token: ' + JSON.stringify([all, one]));
  check((await pixels(page, 'canvas.headview')) !== before, 'hover changes the drawing');
  const status = await page.locator('.panel .status').first().innerText();
  check(/from “.*”: .*\d\.\d{3}/.test(status), 'hover shows values to 3 decimals: ' + status);
  await page.mouse.move(2, 2);
  // the model view: click the thumbnail of layer 0, head 1
  const mv = await page.evaluate(() => { const p = window.attnscope.panels[0]; p.modelCanvas.scrollIntoView({ block: 'center' }); const r = p.modelCanvas.getBoundingClientRect();
    return { x: r.left + p.mv.lab + 1 * (p.mv.cell + p.mv.pad) + p.mv.cell / 2, y: r.top + p.mv.lab + p.mv.cell / 2 }; });
  await page.mouse.click(mv.x, mv.y);
  await page.waitForTimeout(200);
  const st = await page.evaluate(() => [window.attnscope.state.layer, Array.from(window.attnscope.state.heads)]);
  check(JSON.stringify(st) === '[0,[1]]', 'model view click opens layer 0 head 1: ' + JSON.stringify(st));
  // keyboard: ArrowDown → next layer, ArrowRight → next head
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const st2 = await page.evaluate(() => [window.attnscope.state.layer, Array.from(window.attnscope.state.heads)]);
  check(JSON.stringify(st2) === '[1,[2]]', 'arrow keys move layer and head: ' + JSON.stringify(st2));
  // pairs: A→B draws only lines from the first text to the second
  await selectCtl(page, 'Heads', 'mean');
  const pairAll = await stats(page);
  await selectCtl(page, 'Pairs', 'AB');
  const pairAB = await stats(page);
  check(pairAB.lines > 0 && pairAB.lines < pairAll.lines, 'pair filter A→B keeps fewer lines: ' + JSON.stringify([pairAll, pairAB]));
  let parts = pairAB.lines;
  for (const f of ['AA', 'BB', 'BA']) { await selectCtl(page, 'Pairs', f); parts += (await stats(page)).lines; }
  check(parts === pairAll.lines, 'A→A + B→B + A→B + B→A lines = all lines: ' + parts + ' vs ' + pairAll.lines);
  await selectCtl(page, 'Pairs', 'all');
  // with every head: their max draws other weights than their mean; the mean of the layers draws
  n = await rendered(page);
  await page.locator('button', { hasText: 'all heads' }).click();
  await afterRender(page, n);
  before = await pixels(page, 'canvas.headview');
  await selectCtl(page, 'Heads', 'max');
  check((await pixels(page, 'canvas.headview')) !== before && (await stats(page)).lines > 0, 'max of heads changes the drawing');
  await selectCtl(page, 'Layers', 'mean');
  check((await stats(page)).lines > 0, 'mean of layers draws');
  await selectCtl(page, 'Layers', 'layer');
  // several tokens selected: sum and mean
  for (const i of [1, 2]) {
    const c = await page.evaluate((k) => window.attnscope.tokenCenter(0, 0, k), i);
    await page.mouse.click(c.x, c.y);
  }
  await page.mouse.move(2, 2);
  await page.waitForTimeout(200);
  check((await stats(page)).sources === 2, 'two selected tokens draw two sources');
  // their weights summed, then averaged: the largest shown value halves
  const top = async () => Number(/\): .*?(\d\.\d{3})/.exec(await page.locator('.panel .status').first().innerText())[1]);
  const summed = await top();
  await selectCtl(page, 'Selected tokens', 'mean');
  const averaged = await top();
  check(Math.abs(summed / 2 - averaged) <= 0.0011, 'average of two selected tokens = sum / 2: ' + summed + ' vs ' + averaged);
  await selectCtl(page, 'Selected tokens', 'sum');
  await selectCtl(page, 'Layers', 'rollout');
  check((await stats(page)).lines > 0, 'rollout draws');
  // theme and layout
  before = await pixels(page, 'canvas.headview');
  n = await rendered(page);
  await page.locator('#theme').click();
  await afterRender(page, n);
  check((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', 'theme toggles to dark');
  check((await pixels(page, 'canvas.headview')) !== before, 'dark theme redraws');
  await selectCtl(page, 'Layout', 'horizontal');
  const geo = await page.evaluate(() => window.attnscope.panels[0].geo.horizontal);
  check(geo === true, 'horizontal layout');
  check(rec.dialogs.length === 0, 'xss: nothing ran after interaction');
  clean(rec, 'xss.html');
  await page.close();
}

async function testLong(ctx, dir) {
  const rec = await open(ctx, path.join(dir, 'long.html'));
  const T = await rec.page.evaluate(() => window.attnscope.panels[0].T);
  check(T === 512, '512 tokens: T=' + T);
  console.log('info: 512 tokens drawn ' + rec.ms + ' ms after navigation (' + rec.wallMs + ' ms with the tab start)');
  check(rec.ms < 2000, '512-token sentence renders in ' + rec.ms + ' ms (< 2000; ' + rec.wallMs + ' ms with the tab start)');
  clean(rec, 'long.html');
  await rec.page.close();
}

async function testNeuron(ctx, dir) {
  const rec = await open(ctx, path.join(dir, 'neuron.html')), page = rec.page;
  check((await page.locator('canvas.neuron').count()) === 1, 'neuron view present with q/k');
  await selectCtl(page, 'Layer', '1');
  const n = await rendered(page);
  await page.locator('.legend .head').nth(1).dblclick();
  await page.waitForTimeout(200);
  await page.locator('details.view select').first().selectOption('2');
  await page.waitForTimeout(200);
  // softmax(q·k/√d) computed by the page from q and k = the attention Python computed
  const cmp = await page.evaluate(() => {
    const p = window.attnscope.panels[0], T = p.T, l = 1, h = 1, i = 2, off = ((l * p.H + h) * T + i) * T;
    return { probs: p.neuronProbs, want: Array.from({ length: T }, (_, j) => p.raw[off + j] / p.scale) };
  });
  const worst = Math.max(...cmp.want.map((w, j) => Math.abs(w - cmp.probs[j])));
  check(cmp.probs.length === cmp.want.length && worst < 1e-4, 'neuron view probabilities equal the attention (worst ' + worst + ')');
  // word level: the switch appears (every entry has word matrices) and shows the words
  await selectCtl(page, 'Level', 'words');
  await waitFor(page, () => window.attnscope.panels.length && window.attnscope.panels[0].T === 5, null, 5000).catch(() => {});
  const w = await page.evaluate(() => [window.attnscope.panels[0].T, window.attnscope.panels[0].tokens.join(' ')]);
  check(w[0] === 5 && w[1] === 'the bank of the river', 'word level shows the words: ' + JSON.stringify(w));
  // view MODEL asks the forward pass for q and k (ATTN_OUT_QK): one neuron view per model panel
  const fwd = await open(ctx, path.join(dir, 'xss.html'));
  check((await fwd.page.locator('canvas.neuron').count()) === 2, 'view MODEL has the neuron view (q/k from the forward pass)');
  await fwd.page.close();
  // a corpus report carries no q/k: no neuron view
  const other = await open(ctx, path.join(dir, 'compare.html'));
  check((await other.page.locator('canvas.neuron').count()) === 0, 'no neuron view without q/k');
  await other.page.close();
  clean(rec, 'neuron.html');
  void n;
  await page.close();
}

async function testCorpus(ctx, dir) {
  const file = path.join(dir, 'corpus.html'), size = fs.statSync(file).size;
  check(size <= 25e6, 'corpus report is ' + (size / 1e6).toFixed(1) + ' MB (<= 25)');
  const rec = await open(ctx, file), page = rec.page;
  console.log('info: corpus report ' + (size / 1e6).toFixed(2) + ' MB, drawn ' + rec.ms + ' ms after navigation');
  check(rec.ms < 3000, 'corpus report opens in ' + rec.ms + ' ms (< 3000; ' + rec.wallMs + ' ms with the tab start)');
  check((await page.evaluate(() => window.attnscope.panels.length)) === 3, 'three models');
  let n = await rendered(page);
  await page.locator('#sentence').selectOption('42');
  await afterRender(page, n);
  check((await page.locator('#sentence-text').innerText()).includes('Sentence 42 '), 'picker opens sentence 42');
  n = await rendered(page);
  await page.locator('#domain').selectOption('Sports');
  await afterRender(page, n);
  const groups = await page.evaluate(() => Array.from(document.querySelectorAll('#sentence optgroup')).map((g) => g.label));
  check(JSON.stringify(groups) === '["Sports"]', 'domain filter: ' + JSON.stringify(groups));
  check((await page.evaluate(() => window.attnscope.state.sentence)) % 4 === 1, 'domain filter opens a Sports sentence');
  // head statistics: a row opens its layer and head
  n = await rendered(page);
  await page.locator('section.table').nth(1).locator('tbody tr').nth(0).click();
  await afterRender(page, n);
  const lh = await page.evaluate(() => [window.attnscope.state.layer, Array.from(window.attnscope.state.heads)]);
  check(JSON.stringify(lh) === '[3,[5]]', 'head statistics row opens layer 3 head 5: ' + JSON.stringify(lh));
  // the table: filter, sort, a row opens its sentence
  await page.locator('section.table input[type=search]').first().fill('Business');
  const rows = await page.locator('section.table').first().locator('tbody tr').count();
  check(rows === 25, 'table filter leaves 25 Business rows: ' + rows);
  await page.locator('section.table input[type=search]').first().fill('');
  await page.locator('section.table').first().locator('th', { hasText: 'tokens' }).click();
  const firstTokens = await page.locator('section.table').first().locator('tbody tr').first().locator('td').nth(2).innerText();
  const minTokens = await page.evaluate(() => Math.min(...window.attnscope.meta.tables[0].rows.map((r) => r[2])));
  check(Number(firstTokens) === minTokens, 'sorting by tokens: ' + firstTokens + ' vs ' + minTokens);
  n = await rendered(page);
  await page.locator('section.table').first().locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^7$/ }) }).first().click();
  await afterRender(page, n);
  check((await page.evaluate(() => window.attnscope.state.sentence)) === 7, 'table row opens sentence 7');
  check((await page.locator('#sentence-text').innerText()).includes('<script>alert(1)</script>'), 'sentence 7 markup shown as text');
  // the chart: drawn, made inert
  const chart = await page.evaluate(() => { const s = document.querySelector('figure.chart svg');
    return s && { rects: s.querySelectorAll('rect').length, scripts: s.querySelectorAll('script').length,
      handlers: Array.from(s.querySelectorAll('*')).filter((e) => e.hasAttribute('onclick')).length,
      fill: getComputedStyle(s.querySelectorAll('rect')[1]).fill }; });
  check(chart && chart.rects === 2 && chart.scripts === 0 && chart.handlers === 0, 'chart embedded and inert: ' + JSON.stringify(chart));
  check(chart && chart.fill === 'rgb(255, 107, 107)', 'chart style kept through the CSSOM: ' + (chart && chart.fill));
  await page.locator('figure.chart rect').nth(1).click();
  clean(rec, 'corpus.html');
  await page.close();
}

// the report `attnscope compare` writes (three tiny models over examples/corpus/news.tsv)
async function testCompare(ctx, dir) {
  const rec = await open(ctx, path.join(dir, 'compare.html')), page = rec.page;
  const meta = await page.evaluate(() => ({ panels: window.attnscope.panels.length,
    domains: window.attnscope.meta.sentences.map((s) => s.domain),
    tables: window.attnscope.meta.tables.map((t) => t.title) }));
  check(meta.panels === 3 && meta.domains.length === 102, 'compare report: 3 models, 100 sentences + 2 of --similarity');
  let n = await rendered(page);
  await page.locator('#domain').selectOption('Sports');
  await afterRender(page, n);
  const groups = await page.evaluate(() => Array.from(document.querySelectorAll('#sentence optgroup')).map((g) => g.label));
  check(JSON.stringify(groups) === '["Sports"]', 'compare picker domain filter: ' + JSON.stringify(groups));
  const opened = await page.evaluate(() => window.attnscope.state.sentence);
  check(meta.domains[opened] === 'Sports', 'domain filter opens a Sports sentence: ' + opened);
  const last = meta.domains.lastIndexOf('Sports');
  n = await rendered(page);
  await page.locator('#sentence').selectOption(String(last));
  await afterRender(page, n);
  const text = await page.evaluate((i) => window.attnscope.meta.sentences[i].text, last);
  check((await page.locator('#sentence-text').innerText()).includes(text), 'picker opens Sports sentence ' + last);
  // the models side by side on words
  await selectCtl(page, 'Level', 'words');
  const words = await page.evaluate(() => window.attnscope.panels.map((p) => p.T));
  check(words.every((w) => w === text.split(/\s+/).length), 'word level: every model on the ' + text.split(/\s+/).length + ' words: ' + JSON.stringify(words));
  await selectCtl(page, 'Level', 'tokens');
  // the page's word aggregation equals the library's (align --json: layer 1, mean over heads)
  n = await rendered(page);
  await page.locator('#domain').selectOption('');
  await afterRender(page, n);
  n = await rendered(page);
  await page.locator('#sentence').selectOption('0');
  await afterRender(page, n);
  const align = JSON.parse(fs.readFileSync(path.join(dir, 'align.json'), 'utf8'));
  const cmp = await page.evaluate((al) => window.attnscope.panels.map((p, k) => {
    const tw = p.entry.token_words, T = p.T, W = al.words.length, avg = new Uint16Array(T * T), l = 1;
    for (let i = 0; i < T * T; i++) { let s = 0; for (let h = 0; h < p.H; h++) s += p.raw[(l * p.H + h) * T * T + i]; avg[i] = Math.round(s / p.H); }
    const w = window.attnscope.wordsFromTokens(avg, tw, 1, 1, T, W, 1000), ref = al.models[k].attention;
    let worst = 0;
    for (let u = 0; u < W; u++) for (let v = 0; v < W; v++) worst = Math.max(worst, Math.abs(w[u * W + v] / 1000 - ref[u][v]));
    return { same: JSON.stringify(tw) === JSON.stringify(al.models[k].token_word.map((x) => x === null ? -1 : x)), worst };
  }), align);
  check(cmp.length === 3 && cmp.every((c) => c.same && c.worst < 0.003), 'page word aggregation = attn_word_attention: ' + JSON.stringify(cmp));
  // the per-sentence table: a row opens its sentence; head statistics: a row opens the head
  const per = meta.tables.findIndex((t) => t.startsWith('Metrics by sentence'));
  const heads = meta.tables.findIndex((t) => t.startsWith('Head statistics'));
  await page.locator('section.table').nth(per).locator('input[type=search]').fill('S8');
  n = await rendered(page);
  await page.locator('section.table').nth(per).locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^7$/ }) }).first().click();
  await afterRender(page, n);
  check((await page.evaluate(() => window.attnscope.state.sentence)) === 7, 'per-sentence row opens sentence 7 (S8)');
  n = await rendered(page);
  await page.locator('section.table').nth(heads).locator('tbody tr').nth(6).click();
  await afterRender(page, n);
  const lh = await page.evaluate(() => [window.attnscope.state.layer, Array.from(window.attnscope.state.heads)]);
  check(JSON.stringify(lh) === '[1,[2]]', 'head statistics row 6 opens layer 1 head 2: ' + JSON.stringify(lh));
  // the study's charts: every one drawn, colour scales filled by their gradients
  const charts = await page.evaluate(() => { const svgs = Array.from(document.querySelectorAll('section.charts svg'));
    const filled = svgs.filter((s) => Array.from(s.querySelectorAll('path')).some((p) => getComputedStyle(p).fill.startsWith('url(')));
    return { n: svgs.length, gradients: filled.length }; });
  check(charts.n === 18, 'compare report has 11 + 1 similarity + 6 focus charts: ' + charts.n);
  check(charts.gradients === 12, 'colour scales of 12 charts use their gradients: ' + charts.gradients);
  // values on hover: every chart's marks carry their values (<title>, shown in the chart's status
  // line); the first bar of the overall chart is the table's CLS_Attention_Max of the first model
  const marks = await page.evaluate(() => Array.from(document.querySelectorAll('section.charts figure.chart')).map((f) => f.querySelectorAll('g.attn-values rect > title').length));
  check(marks.length === 18 && marks.every((k) => k > 0), 'every chart has its values on hover: ' + JSON.stringify(marks));
  const overallChart = page.locator('figure.chart', { hasText: 'Attention Patterns per Model (Overall Averages)' });
  const bar = overallChart.locator('g.attn-values rect').first();
  await bar.scrollIntoViewIfNeeded();
  await bar.hover();
  const shown = await overallChart.locator('.status').innerText();
  const want = await page.evaluate(() => { const t = window.attnscope.meta.tables.find((x) => x.title === 'Overall averages per model');
    const r = t.rows[0]; return r[t.columns.indexOf('Model')] + ': ' + r[t.columns.indexOf('CLS_Attention_Max')].toFixed(3); });
  check(shown === want, 'hovering the first bar shows its value: ' + JSON.stringify([shown, want]));
  const cell = page.locator('figure.chart', { hasText: 'Model agreement: BERT vs DistilBERT' });
  await cell.locator('g.attn-values rect').nth(1).hover();
  const js = await page.evaluate(() => { const t = window.attnscope.meta.tables.find((x) => x.title.startsWith('Model agreement'));
    return t.rows.find((r) => r[0] === 'BERT' && r[1] === 0 && r[2] === 'DistilBERT' && r[3] === 1)[4].toFixed(3); });
  const cellText = await cell.locator('.status').innerText();
  check(cellText.endsWith(': ' + js), 'agreement heatmap cell (0, 1) shows its JS distance: ' + JSON.stringify([cellText, js]));
  clean(rec, 'compare.html');
  await page.close();
}

// The drawn charts whose caption starts with each prefix: [{caption, w, h, paths}].
async function chartsNamed(page, prefix) {
  return page.evaluate((p) => Array.from(document.querySelectorAll('figure.chart')).filter((f) => f.querySelector('figcaption').textContent.startsWith(p))
    .map((f) => { const s = f.querySelector('svg'), r = s ? s.getBoundingClientRect() : { width: 0, height: 0 };
      return { caption: f.querySelector('figcaption').textContent, w: r.width, h: r.height, paths: s ? s.querySelectorAll('path').length : 0 }; }), prefix);
}
const drawn = (cs) => cs.every((c) => c.w > 200 && c.h > 100 && c.paths > 10);

// the "bank" similarity line chart and the focus bars/heatmap: in the compare report (--similarity,
// --focus over examples/corpus/bank.txt) and in the reports of similarity --report and focus --report
async function testWords(ctx, dir) {
  let rec = await open(ctx, path.join(dir, 'compare.html')), page = rec.page;
  const sim = await chartsNamed(page, "Cosine similarity of 'bank'");
  check(sim.length === 1 && drawn(sim), 'compare report: the similarity line chart is drawn: ' + JSON.stringify(sim));
  const bars = await chartsNamed(page, "Where 'bank' attends (layer 1, mean over heads");
  const heat = await chartsNamed(page, "Where 'bank' attends, layer by layer");
  check(bars.length === 3 && drawn(bars) && heat.length === 3 && drawn(heat), 'compare report: focus bars and heatmap per model: ' + JSON.stringify([bars, heat]));
  const groups = await page.evaluate(() => Array.from(document.querySelectorAll('#sentence optgroup')).map((g) => g.label));
  check(groups.includes('similarity: bank'), 'picker has the similarity sentences: ' + JSON.stringify(groups));
  // the tokens table: a row opens its sentence (with every model's attention)
  const tables = await page.evaluate(() => window.attnscope.meta.tables.map((t) => t.title));
  const toks = tables.findIndex((t) => t.startsWith("Tokens of 'bank'"));
  let n = await rendered(page);
  await page.locator('section.table').nth(toks).locator('tbody tr').nth(3).click();
  await afterRender(page, n);
  check((await page.evaluate(() => window.attnscope.state.sentence)) === 101, 'tokens table row opens sentence 101');
  check((await page.locator('#sentence-text').innerText()).includes('She went to the bank'), 'sentence 101 shown');
  check((await page.evaluate(() => window.attnscope.panels.length)) === 3, 'three models on the similarity sentence');
  clean(rec, 'compare.html (words)');
  await page.close();

  rec = await open(ctx, path.join(dir, 'similarity.html')), page = rec.page;
  const s2 = await chartsNamed(page, "Cosine similarity of 'bank'");
  check(s2.length === 1 && drawn(s2), 'similarity --report: the line chart is drawn');
  check((await page.evaluate(() => [window.attnscope.panels.length, window.attnscope.meta.sentences.length].join())) === '2,2', 'similarity --report: 2 models, 2 sentences');
  const cos = await page.locator('section.table').first().locator('tbody tr').count();
  check(cos === 3, 'similarity --report: a row per hidden state: ' + cos);
  clean(rec, 'similarity.html');
  await page.close();

  rec = await open(ctx, path.join(dir, 'focus.html')), page = rec.page;
  const fb = await chartsNamed(page, "Where 'bank' attends (layer 1, head 3"), fh = await chartsNamed(page, "Where 'bank' attends, head by head");
  check(fb.length === 1 && drawn(fb) && fh.length === 1 && drawn(fh), 'focus --report: bars and heatmap drawn: ' + JSON.stringify([fb, fh]));
  check((await page.locator('canvas.neuron').count()) === 1, 'focus --report: the sentence has the neuron view');
  // a per-head row of the focus table opens that layer and head
  n = await rendered(page);
  await page.locator('section.table').first().locator('tbody tr').nth(1).click();
  await afterRender(page, n);
  const lh = await page.evaluate(() => [window.attnscope.state.layer, Array.from(window.attnscope.state.heads)]);
  check(JSON.stringify(lh) === '[1,[1]]', 'focus table row opens layer 1 head 1: ' + JSON.stringify(lh));
  clean(rec, 'focus.html');
  await page.close();

  // byte-level pieces of one emoji / CJK character: the character once, then continuation marks
  rec = await open(ctx, path.join(dir, 'emoji.html')), page = rec.page;
  const labels = await page.evaluate(() => window.attnscope.panels[0].tokens.slice(8, 16));
  check(JSON.stringify(labels) === JSON.stringify([' 🤗', '⋯', '⋯', ' 東', '⋯', '⋯', '京', '⋯']), 'emoji/CJK labels drawn: ' + JSON.stringify(labels));
  check((await page.evaluate(() => document.images.length)) === 0, 'emoji page: no <img> element');
  clean(rec, 'emoji.html');
  await page.close();
}

// markup in the labels of the models and in the file names: shown as text, nothing runs
async function testMarkupNames(ctx, dir) {
  const mark = '"><img src=x onerror=alert(1)>', script = '<script>alert(1)</script>';
  for (const [file, labels, name] of [['names ' + mark + '.html', [script, mark], null], [path.join('names-compare', 'report.html'), [mark, script], mark + '.tsv']]) {
    const rec = await open(ctx, path.join(dir, file)), page = rec.page;
    const got = await page.evaluate(() => ({ h2: Array.from(document.querySelectorAll('.panel h2')).map((h) => h.textContent),
      models: Array.from(document.querySelectorAll('#models label span')).map((s) => s.textContent),
      title: document.title, h1: document.getElementById('title').textContent, imgs: document.images.length, scripts: document.scripts.length }));
    check(JSON.stringify(got.h2) === JSON.stringify(labels), file + ': model labels shown as text: ' + JSON.stringify(got.h2));
    check(JSON.stringify(got.models) === JSON.stringify(labels), file + ': model toggles named as text: ' + JSON.stringify(got.models));
    if (name) check(got.title.includes(name) && got.h1.includes(name), file + ': corpus file name in the title as text: ' + JSON.stringify([got.title, got.h1]));
    else check((await page.evaluate(() => document.body.innerText)).includes(mark + ' ' + script), file + ': sentence shown as text');
    check(got.imgs === 0, file + ': no <img> element');
    await page.locator('.legend .head').first().click();
    await page.mouse.move(5, 5);
    clean(rec, file);
    await page.close();
  }
}

(async () => {
  const dir = process.argv[2];
  const b = await launch();
  if (!b) { console.log('FAIL: cannot launch chromium'); process.exit(1); }
  try {
    for (const t of [testHeadView, testLong, testNeuron, testCorpus, testCompare, testWords, testMarkupNames]) {
      try { await t(b.context, dir); } catch (e) { check(false, t.name + ': ' + (e && e.stack || e)); }
    }
  } finally { await b.close(); }
  console.log('browser_test: ' + passes + ' passed, ' + failures + ' failed');
  process.exit(failures ? 1 : 0);
})();
