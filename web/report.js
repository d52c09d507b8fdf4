/* report.js — the attnscope report: reads the embedded JSON, decodes attention per sentence on
 * demand and draws the model view, head view, matrix and neuron view on canvas. No network, no
 * eval, no HTML built from data: every piece of text goes through textContent or fillText. */
'use strict';
(function () {
  const META = JSON.parse(document.getElementById('attn-meta').textContent);
  const SENTENCES = META.sentences || [];
  const MODELS = META.models || [];

  const state = {
    sentence: 0,
    layer: 0,
    heads: null,          // Set of active head indices (null = all, set when a sentence opens)
    headAgg: 'each',      // each | mean | max
    layerAgg: 'layer',    // layer | mean | rollout
    combine: 'sum',       // sum | mean, for several selected tokens
    pairs: 'all',         // all | AA | BB | AB | BA
    layout: 'vertical',   // vertical | horizontal
    level: 'tokens',      // tokens | words
    hidden: new Set(),    // models not shown
    theme: null,
  };
  let panels = [];        // one per shown model of the current sentence
  let renderSerial = 0, openSerial = 0;
  const blobCache = new Map();

  // ---- small DOM helpers (text only; never innerHTML) ----------------------------------------
  function el(tag, props, children) {
    const e = document.createElement(tag);
    if (props) {
      for (const k of Object.keys(props)) {
        if (k === 'text') e.textContent = props[k];
        else if (k === 'class') e.className = props[k];
        else e[k] = props[k];
      }
    }
    for (const c of children || []) if (c) e.appendChild(c);
    return e;
  }
  function option(value, text, selected) {
    const o = el('option', { value: String(value), text: text });
    if (selected) o.selected = true;
    return o;
  }
  function select(label, options, value, onchange) {
    const s = el('select', { title: label });
    for (const [v, t] of options) s.appendChild(option(v, t, String(v) === String(value)));
    s.addEventListener('change', () => onchange(s.value));
    return el('label', { class: 'ctl' }, [el('span', { text: label }), s]);
  }
  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function fmt3(v) { return v.toFixed(3); }

  // ---- decoding: base64 → deflate → byte planes → typed array ---------------------------------
  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  async function decode(desc) {
    if (blobCache.has(desc.blob)) return blobCache.get(desc.blob);
    const node = document.getElementById('attn-blob-' + desc.blob);
    if (!node) throw new Error('attnscope: blob ' + desc.blob + ' is missing');
    const b64 = JSON.parse(node.textContent);
    let packed;
    if (typeof Uint8Array.fromBase64 === 'function') packed = Uint8Array.fromBase64(b64);
    else {
      const bin = atob(b64);
      packed = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) packed[i] = bin.charCodeAt(i);
    }
    const raw = await inflate(packed);
    const planes = desc.shuffle, n = raw.length / planes;
    let out;
    if (desc.dtype === 'u16') {
      out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = raw[i] | (raw[n + i] << 8);
    } else {
      const bytes = new Uint8Array(n * 4);
      for (let i = 0; i < n; i++) for (let b = 0; b < 4; b++) bytes[4 * i + b] = raw[b * n + i];
      out = new Float32Array(bytes.buffer);
    }
    blobCache.set(desc.blob, out);
    return out;
  }

  // ---- matrices --------------------------------------------------------------------------------
  // A panel holds one model's entry: raw [L][H][T][T] (u16, /scale) and derived T×T matrices.
  function headMatrix(p, l, h) {
    const key = 'h' + l + '.' + h;
    if (p.cache.has(key)) return p.cache.get(key);
    const T = p.T, off = (l * p.H + h) * T * T, m = new Float32Array(T * T), inv = 1 / p.scale;
    for (let i = 0; i < T * T; i++) m[i] = p.raw[off + i] * inv;
    p.cache.set(key, m);
    return m;
  }
  function reduceHeads(p, l, heads, how) {
    const key = how + l + ':' + heads.join(',');
    if (p.cache.has(key)) return p.cache.get(key);
    const T = p.T, m = new Float32Array(T * T);
    for (const h of heads) {
      const a = headMatrix(p, l, h);
      if (how === 'max') for (let i = 0; i < T * T; i++) m[i] = Math.max(m[i], a[i]);
      else for (let i = 0; i < T * T; i++) m[i] += a[i] / heads.length;
    }
    p.cache.set(key, m);
    return m;
  }
  function allHeads(p) { return Array.from({ length: p.H }, (_, h) => h); }
  // Attention rollout (Abnar & Zuidema 2020): R_l = norm(0.5·A_l + 0.5·I) · R_{l-1}, heads averaged.
  function rollout(p, upto) {
    const key = 'roll' + upto;
    if (p.cache.has(key)) return p.cache.get(key);
    const T = p.T;
    let R = null;
    for (let l = 0; l <= upto; l++) {
      const A = reduceHeads(p, l, allHeads(p), 'mean'), B = new Float32Array(T * T);
      for (let i = 0; i < T; i++) {
        let s = 0;
        for (let j = 0; j < T; j++) { B[i * T + j] = 0.5 * A[i * T + j] + (i === j ? 0.5 : 0); s += B[i * T + j]; }
        for (let j = 0; j < T; j++) B[i * T + j] /= s || 1;
      }
      if (!R) { R = B; continue; }
      const N = new Float32Array(T * T);
      for (let i = 0; i < T; i++)
        for (let k = 0; k < T; k++) {
          const b = B[i * T + k];
          if (b === 0) continue;
          for (let j = 0; j < T; j++) N[i * T + j] += b * R[k * T + j];
        }
      R = N;
    }
    p.cache.set(key, R);
    return R;
  }
  function headColor(h, H) { return 'hsl(' + Math.round((360 * h) / Math.max(H, 1)) + ', 70%, 50%)'; }
  function activeHeads(p) { return allHeads(p).filter((h) => state.heads.has(h)); }
  // What the head view draws: [{color, m}] for the current layer/head settings.
  function drawnMatrices(p) {
    const l = Math.min(state.layer, p.L - 1), heads = activeHeads(p), accent = cssVar('--accent');
    if (state.layerAgg === 'rollout') return [{ color: accent, m: rollout(p, l), label: 'rollout to layer ' + l }];
    if (state.layerAgg === 'mean') {
      const key = 'lmean:' + heads.join(',');
      if (!p.cache.has(key)) {
        const T = p.T, m = new Float32Array(T * T);
        for (let k = 0; k < p.L; k++) {
          const a = reduceHeads(p, k, heads.length ? heads : allHeads(p), 'mean');
          for (let i = 0; i < T * T; i++) m[i] += a[i] / p.L;
        }
        p.cache.set(key, m);
      }
      return [{ color: accent, m: p.cache.get(key), label: 'mean of layers' }];
    }
    if (!heads.length) return [];
    if (state.headAgg === 'each') return heads.map((h) => ({ color: headColor(h, p.H), m: headMatrix(p, l, h), head: h }));
    return [{ color: accent, m: reduceHeads(p, l, heads, state.headAgg), label: state.headAgg + ' of ' + heads.length + ' heads' }];
  }
  // One matrix for values and the large view: the single drawn one, or the mean of those drawn.
  function valueMatrix(p) {
    const ms = drawnMatrices(p);
    if (ms.length <= 1) return ms.length ? ms[0].m : null;
    const T = p.T, m = new Float32Array(T * T);
    for (const d of ms) for (let i = 0; i < T * T; i++) m[i] += d.m[i] / ms.length;
    return m;
  }

  // ---- the head view -------------------------------------------------------------------------
  function canvasFor(c, w, h) {
    const dpr = Math.min(window.devicePixelRatio || 1, 2), maxSide = 16000;
    const k = Math.min(dpr, maxSide / Math.max(w, 1), maxSide / Math.max(h, 1));
    c.width = Math.max(1, Math.floor(w * k));
    c.height = Math.max(1, Math.floor(h * k));
    c.style.width = w + 'px';
    c.style.height = h + 'px';
    const g = c.getContext('2d');
    g.setTransform(k, 0, 0, k, 0, 0);
    return g;
  }
  function measureTokens(g, tokens, font) {
    g.font = font;
    let w = 0;
    for (const t of tokens) w = Math.max(w, g.measureText(t).width);
    return Math.ceil(w);
  }
  // Geometry of the two token columns (or rows, horizontally).
  function headGeometry(p, g) {
    const T = p.T, small = T > 96, font = (small ? 11 : 13) + 'px ' + cssVar('--font-tokens');
    const textW = Math.min(measureTokens(g, p.tokens, font), 220) + 8, values = 44;
    if (state.layout === 'horizontal') {
      const step = small ? 13 : 18, top = textW + 4, gap = Math.max(140, Math.min(320, T * 3));
      return { font, horizontal: true, step, textW, top, bottom: top + gap, width: T * step + 24, height: top + gap + textW + 8,
        pos: (side, i) => ({ x: 12 + i * step + step / 2, y: side === 0 ? top : top + gap }) };
    }
    const step = small ? 14 : 20, left = values + textW, gap = 160;
    return { font, horizontal: false, step, textW, left, right: left + gap, width: left + gap + textW + values, height: T * step + 16,
      pos: (side, i) => ({ x: side === 0 ? left : left + gap, y: 8 + i * step + step / 2 }) };
  }
  function hitToken(geo, p, x, y) {
    let side, i;
    if (geo.horizontal) {
      if (y > geo.top && y < geo.bottom) return null; // the lines, not a token
      side = y <= geo.top ? 0 : 1;
      i = Math.floor((x - 12) / geo.step);
    } else {
      if (x > geo.left && x < geo.right) return null;
      side = x <= geo.left ? 0 : 1;
      i = Math.floor((y - 8) / geo.step);
    }
    return i >= 0 && i < p.T ? { side, i } : null;
  }
  function pairAllowed(p, i, j) {
    if (state.pairs === 'all' || !p.segments) return true;
    const a = p.segments[i], b = p.segments[j];
    return state.pairs === (a ? 'B' : 'A') + (b ? 'B' : 'A');
  }
  function sourcesShown(p) {
    if (p.hover && p.hover.side === 0) return [p.hover.i];
    if (p.selected.size) return Array.from(p.selected).sort((a, b) => a - b);
    return null; // all
  }
  // Combined weight from the shown sources to each target (sum or mean), or into the hovered target.
  function tokenValues(p) {
    const m = valueMatrix(p), T = p.T;
    if (!m) return null;
    if (p.hover && p.hover.side === 1) {
      const j = p.hover.i, v = new Float32Array(T);
      for (let i = 0; i < T; i++) v[i] = pairAllowed(p, i, j) ? m[i * T + j] : 0;
      return { side: 0, v };
    }
    const src = sourcesShown(p);
    if (!src) return null;
    const v = new Float32Array(T);
    for (const i of src) for (let j = 0; j < T; j++) if (pairAllowed(p, i, j)) v[j] += m[i * T + j];
    if (state.combine === 'mean') for (let j = 0; j < T; j++) v[j] /= src.length;
    return { side: 1, v };
  }
  function drawHeadView(p) {
    const c = p.headCanvas, g0 = c.getContext('2d'), geo = headGeometry(p, g0), g = canvasFor(c, geo.width, geo.height);
    p.geo = geo;
    g.clearRect(0, 0, geo.width, geo.height);
    const T = p.T, thr = T > 64 ? 0.01 : 0.001, src = sourcesShown(p);
    const onlyTarget = p.hover && p.hover.side === 1 ? p.hover.i : -1;
    let lines = 0;
    const sources = new Set();
    g.lineWidth = T > 96 ? 1 : 2;
    for (const d of drawnMatrices(p)) {
      const buckets = Array.from({ length: 10 }, () => []);
      const rows = src || Array.from({ length: T }, (_, i) => i);
      for (const i of rows) {
        const j0 = onlyTarget >= 0 ? onlyTarget : 0, j1 = onlyTarget >= 0 ? onlyTarget + 1 : T;
        for (let j = j0; j < j1; j++) {
          const w = d.m[i * T + j];
          if (w < thr || !pairAllowed(p, i, j)) continue;
          buckets[Math.min(9, Math.floor(w * 10))].push(i, j);
          sources.add(i);
          lines++;
        }
      }
      g.strokeStyle = d.color;
      for (let b = 0; b < 10; b++) {
        if (!buckets[b].length) continue;
        g.globalAlpha = Math.min(1, (b + 0.5) / 10 + 0.05);
        g.beginPath();
        const pts = buckets[b];
        for (let k = 0; k < pts.length; k += 2) {
          const a = geo.pos(0, pts[k]), z = geo.pos(1, pts[k + 1]);
          if (geo.horizontal) { g.moveTo(a.x, a.y + 2); g.lineTo(z.x, z.y - 2); }
          else { g.moveTo(a.x + 2, a.y); g.lineTo(z.x - 2, z.y); }
        }
        g.stroke();
      }
    }
    g.globalAlpha = 1;
    p.stats = { lines, sources: sources.size };
    drawTokens(p, g, geo, tokenValues(p));
  }
  function drawTokens(p, g, geo, values) {
    const fg = cssVar('--fg'), muted = cssVar('--muted'), accent = cssVar('--accent'), hl = cssVar('--highlight');
    g.font = geo.font;
    g.textBaseline = 'middle';
    for (let side = 0; side < 2; side++) {
      for (let i = 0; i < p.T; i++) {
        const at = geo.pos(side, i), tok = p.tokens[i];
        const sel = side === 0 && p.selected.has(i), hov = p.hover && p.hover.side === side && p.hover.i === i;
        const v = values && values.side === side ? values.v[i] : -1;
        g.save();
        g.translate(at.x, at.y);
        if (geo.horizontal && g.measureText(tok).width <= geo.step - 3) { // one CJK character, "a", ",": upright
          drawUpright(g, tok, side, v, sel || hov, geo, side === 1 && p.segments && p.segments[i] ? muted : fg, accent, hl);
          g.restore();
          continue;
        }
        if (geo.horizontal) g.rotate(-Math.PI / 2);
        const dir = geo.horizontal ? (side === 0 ? 1 : -1) : (side === 0 ? -1 : 1);
        const box = Math.min(g.measureText(tok).width, geo.textW - 8) + 6, h = geo.step - 2;
        const x0 = dir < 0 ? -box - 4 : 4;
        if (v >= 0) { g.fillStyle = accent; g.globalAlpha = Math.min(1, v) * 0.8 + 0.05; g.fillRect(x0, -h / 2, box, h); g.globalAlpha = 1; }
        if (sel || hov) { g.fillStyle = hl; g.globalAlpha = 0.35; g.fillRect(x0, -h / 2, box, h); g.globalAlpha = 1; }
        g.fillStyle = p.segments && p.segments[i] ? muted : fg;
        g.textAlign = dir < 0 ? 'right' : 'left';
        g.fillText(tok, dir < 0 ? -7 : 7, 0, geo.textW - 8);
        if (v >= 0 && !geo.horizontal) {
          g.fillStyle = muted;
          g.textAlign = dir < 0 ? 'right' : 'left';
          g.fillText(fmt3(v), dir < 0 ? -geo.textW - 4 : geo.textW + 4, 0);
        }
        g.restore();
      }
    }
  }
  function drawUpright(g, tok, side, v, marked, geo, color, accent, hl) {
    const w = geo.step - 2, h = geo.step + 2, y0 = side === 0 ? -5 - h : 5;
    if (v >= 0) { g.fillStyle = accent; g.globalAlpha = Math.min(1, v) * 0.8 + 0.05; g.fillRect(-w / 2, y0, w, h); g.globalAlpha = 1; }
    if (marked) { g.fillStyle = hl; g.globalAlpha = 0.35; g.fillRect(-w / 2, y0, w, h); g.globalAlpha = 1; }
    g.fillStyle = color;
    g.textAlign = 'center';
    g.fillText(tok, 0, y0 + h / 2);
  }
  function hoverText(p) {
    const values = tokenValues(p);
    if (!values) return 'Hover a token to see only its lines; click tokens on the left to select several.' +
      (p.T > 64 ? ' Lines under 0.010 are not drawn' + (p.stats && !p.stats.lines ? ' (none is above: attention this even shows in the matrix and model view).' : '.') : '');
    const pairs = [];
    for (let i = 0; i < p.T; i++) pairs.push([values.v[i], i]);
    pairs.sort((a, b) => b[0] - a[0]);
    const top = pairs.slice(0, 5).map(([v, i]) => p.tokens[i] + ' ' + fmt3(v)).join(' · ');
    if (p.hover && p.hover.side === 1) return 'into “' + p.tokens[p.hover.i] + '”: ' + top;
    const src = sourcesShown(p), name = src.length === 1 ? '“' + p.tokens[src[0]] + '”' : src.length + ' tokens (' + state.combine + ')';
    return 'from ' + name + ': ' + top;
  }
  function bindHeadView(p) {
    const c = p.headCanvas;
    c.addEventListener('mousemove', (ev) => {
      const r = c.getBoundingClientRect(), hit = hitToken(p.geo, p, ev.clientX - r.left, ev.clientY - r.top);
      const same = (hit && p.hover && hit.side === p.hover.side && hit.i === p.hover.i) || (!hit && !p.hover);
      if (same) return;
      p.hover = hit;
      drawHeadView(p);
      p.status.textContent = hoverText(p);
    });
    c.addEventListener('mouseleave', () => { p.hover = null; drawHeadView(p); p.status.textContent = hoverText(p); });
    c.addEventListener('click', (ev) => {
      const r = c.getBoundingClientRect(), hit = hitToken(p.geo, p, ev.clientX - r.left, ev.clientY - r.top);
      if (!hit) return;
      if (hit.side === 0) {
        if (p.selected.has(hit.i)) p.selected.delete(hit.i); else p.selected.add(hit.i);
        if (p.neuronSelect) { p.neuronToken = hit.i; p.neuronSelect.value = String(hit.i); }
      }
      drawPanel(p);
    });
  }

  // ---- heatmaps: the model view (all layers × heads) and the large matrix --------------------------
  function rgb(hex) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex) || [0, 'ff', 'ff', 'ff'];
    return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  }
  // The same picture as paintHeat (each pixel: the max over its block of cells) for a matrix
  // arr [T][T] at off (values × inv), in one pass over the cells: a 512-token model view is
  // 144 × 512² cells drawn into thumbnails much smaller than T.
  function paintHeatArray(img, W, x0, y0, size, T, arr, off, inv, lo, hi) {
    if (size > T) return paintHeat(img, W, x0, y0, size, T, (i, j) => arr[off + i * T + j] * inv, lo, hi);
    const pix = new Int32Array(T), pool = new Float64Array(size * size);
    for (let y = 0; y < size; y++) {
      const a = Math.floor((y * T) / size), b = Math.max(a + 1, Math.floor(((y + 1) * T) / size));
      for (let i = a; i < b && i < T; i++) pix[i] = y;
    }
    for (let i = 0; i < T; i++) {
      const row = pix[i] * size, base = off + i * T;
      for (let j = 0; j < T; j++) { const k = row + pix[j], v = arr[base + j]; if (v > pool[k]) pool[k] = v; }
    }
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const t = Math.sqrt(Math.min(1, pool[y * size + x] * inv)), o = 4 * ((y0 + y) * W + x0 + x);
        img.data[o] = lo[0] + (hi[0] - lo[0]) * t;
        img.data[o + 1] = lo[1] + (hi[1] - lo[1]) * t;
        img.data[o + 2] = lo[2] + (hi[2] - lo[2]) * t;
        img.data[o + 3] = 255;
      }
  }
  function paintHeat(img, W, x0, y0, size, T, get, lo, hi) {
    for (let y = 0; y < size; y++) {
      const i0 = Math.floor((y * T) / size), i1 = Math.max(i0 + 1, Math.floor(((y + 1) * T) / size));
      for (let x = 0; x < size; x++) {
        const j0 = Math.floor((x * T) / size), j1 = Math.max(j0 + 1, Math.floor(((x + 1) * T) / size));
        let v = 0;
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) v = Math.max(v, get(i, j));
        const t = Math.sqrt(Math.min(1, v)), o = 4 * ((y0 + y) * W + x0 + x);
        img.data[o] = lo[0] + (hi[0] - lo[0]) * t;
        img.data[o + 1] = lo[1] + (hi[1] - lo[1]) * t;
        img.data[o + 2] = lo[2] + (hi[2] - lo[2]) * t;
        img.data[o + 3] = 255;
      }
    }
  }
  function modelViewCell(p) {
    const avail = Math.max(200, p.box.clientWidth - 40);
    return Math.max(18, Math.min(72, Math.floor(avail / p.H) - 4));
  }
  function drawModelView(p) {
    const cell = modelViewCell(p), pad = 4, lab = 26, W = lab + p.H * (cell + pad), Hh = lab + p.L * (cell + pad);
    const c = p.modelCanvas, g = canvasFor(c, W, Hh), k = c.width / W;
    const lo = rgb(cssVar('--heat-lo')), hi = rgb(cssVar('--heat-hi'));
    const img = g.createImageData(c.width, c.height), px = Math.floor(cell * k);
    const T = p.T, inv = 1 / p.scale;
    for (let l = 0; l < p.L; l++)
      for (let h = 0; h < p.H; h++) {
        const off = (l * p.H + h) * T * T;
        paintHeatArray(img, c.width, Math.floor((lab + h * (cell + pad)) * k), Math.floor((lab + l * (cell + pad)) * k), px, T,
          p.raw, off, inv, lo, hi);
      }
    g.putImageData(img, 0, 0);
    g.fillStyle = cssVar('--muted');
    g.font = '11px ' + cssVar('--font-ui');
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (let h = 0; h < p.H; h++) g.fillText(String(h), lab + h * (cell + pad) + cell / 2, lab / 2);
    for (let l = 0; l < p.L; l++) g.fillText(String(l), lab / 2, lab + l * (cell + pad) + cell / 2);
    g.strokeStyle = cssVar('--accent');
    g.lineWidth = 2;
    const l = Math.min(state.layer, p.L - 1);
    for (const h of activeHeads(p)) g.strokeRect(lab + h * (cell + pad) - 1, lab + l * (cell + pad) - 1, cell + 2, cell + 2);
    p.mv = { cell, pad, lab };
  }
  function bindModelView(p) {
    p.modelCanvas.addEventListener('click', (ev) => {
      const r = p.modelCanvas.getBoundingClientRect(), mv = p.mv;
      const h = Math.floor((ev.clientX - r.left - mv.lab) / (mv.cell + mv.pad)), l = Math.floor((ev.clientY - r.top - mv.lab) / (mv.cell + mv.pad));
      if (h < 0 || l < 0 || h >= p.H || l >= p.L) return;
      state.layer = l;
      state.heads = new Set([h]);
      state.headAgg = 'each';
      state.layerAgg = 'layer';
      renderControls();
      drawAll();
      p.detail.open = true;
      p.headCanvas.scrollIntoView({ block: 'nearest' });
    });
  }
  function drawMatrix(p) {
    const m = valueMatrix(p), T = p.T, labels = T <= 48, lab = labels ? Math.min(measureTokens(p.matrixCanvas.getContext('2d'), p.tokens, '11px sans-serif') + 8, 110) : 0;
    const size = Math.min(480, Math.max(240, T * 14)), W = lab + size, H = lab + size;
    const c = p.matrixCanvas, g = canvasFor(c, W, H), k = c.width / W;
    g.clearRect(0, 0, W, H);
    if (!m) return;
    const img = g.createImageData(Math.floor(size * k), Math.floor(size * k));
    paintHeatArray(img, img.width, 0, 0, img.width, T, m, 0, 1, rgb(cssVar('--heat-lo')), rgb(cssVar('--heat-hi')));
    g.putImageData(img, Math.floor(lab * k), Math.floor(lab * k));
    if (!labels) return;
    const cell = size / T;
    g.fillStyle = cssVar('--fg');
    g.font = Math.min(11, cell) + 'px ' + cssVar('--font-tokens');
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    for (let i = 0; i < T; i++) g.fillText(p.tokens[i], lab - 4, lab + (i + 0.5) * cell, lab - 6);
    for (let j = 0; j < T; j++) {
      g.save();
      g.translate(lab + (j + 0.5) * cell, lab - 4);
      g.rotate(-Math.PI / 2);
      g.textAlign = 'left';
      g.fillText(p.tokens[j], 0, 0, lab - 6);
      g.restore();
    }
    p.matrixGeo = { lab, cell };
  }
  function bindMatrix(p) {
    p.matrixCanvas.addEventListener('mousemove', (ev) => {
      const r = p.matrixCanvas.getBoundingClientRect(), m = valueMatrix(p), lab = p.matrixGeo ? p.matrixGeo.lab : 0;
      const size = r.width - lab, T = p.T;
      const j = Math.floor(((ev.clientX - r.left - lab) / size) * T), i = Math.floor(((ev.clientY - r.top - lab) / size) * T);
      if (!m || i < 0 || j < 0 || i >= T || j >= T) return;
      p.matrixStatus.textContent = '“' + p.tokens[i] + '” → “' + p.tokens[j] + '”: ' + fmt3(m[i * T + j]);
    });
  }

  // ---- the neuron view ---------------------------------------------------------------------------
  function drawNeuron(p) {
    if (!p.q) return;
    const T = p.T, d = p.d, l = Math.min(state.layer, p.L - 1), h = activeHeads(p)[0] ?? 0, qi = p.neuronToken;
    const base = (l * p.H + h) * T * d, q = p.q.subarray(base + qi * d, base + qi * d + d);
    let mx = 1e-9;
    for (let j = 0; j < T; j++) for (let e = 0; e < d; e++) mx = Math.max(mx, Math.abs(p.k[base + j * d + e]), Math.abs(q[e]));
    const scores = new Float32Array(T);
    for (let j = 0; j < T; j++) {
      let s = 0;
      for (let e = 0; e < d; e++) s += q[e] * p.k[base + j * d + e];
      scores[j] = s / Math.sqrt(d);
    }
    const smax = Math.max(...scores), ex = Array.from(scores, (s) => Math.exp(s - smax)), sum = ex.reduce((a, b) => a + b, 0);
    p.neuronProbs = ex.map((x) => x / sum);
    const cw = Math.max(2, Math.min(14, Math.floor(240 / d))), rh = 16, lab = 110, vec = Math.max(d * cw, 130) + 14;
    const W = lab + 3 * vec + 190, H = 30 + (T + 1) * rh + 8;
    const g = canvasFor(p.neuronCanvas, W, H);
    g.clearRect(0, 0, W, H);
    const pos = rgb(cssVar('--pos')), neg = rgb(cssVar('--neg')), bg = rgb(cssVar('--heat-lo'));
    // every vector's cells as one pixel each in an offscreen strip (row 0 q, 1 + j key j, 1 + T + j
    // product j), drawn scaled: a 512-token view is three rows of d cells per token
    const strip = document.createElement('canvas');
    strip.width = d, strip.height = 2 * T + 1;
    const sg = strip.getContext('2d'), img = sg.createImageData(d, 2 * T + 1);
    const put = (row, get) => {
      for (let e = 0; e < d; e++) {
        const v = get(e), t = Math.min(1, Math.abs(v) / mx), c = v >= 0 ? pos : neg, o = 4 * (row * d + e);
        for (let i = 0; i < 3; i++) img.data[o + i] = Math.round(bg[i] + (c[i] - bg[i]) * t);
        img.data[o + 3] = 255;
      }
    };
    put(0, (e) => q[e]);
    for (let j = 0; j < T; j++) {
      const kb = base + j * d;
      put(1 + j, (e) => p.k[kb + e]);
      put(1 + T + j, (e) => q[e] * p.k[kb + e] * (1 / mx)); // product, rescaled into the same colour range
    }
    sg.putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    const cells = (x, y, row) => g.drawImage(strip, 0, row, d, 1, x, y, d * cw, rh - 3);
    const fg = cssVar('--fg'), muted = cssVar('--muted'), accent = cssVar('--accent');
    g.font = '12px ' + cssVar('--font-ui');
    g.fillStyle = cssVar('--muted');
    g.textBaseline = 'middle';
    g.textAlign = 'left';
    const heads = ['query q', 'key k', 'q × k (elementwise)'];
    heads.forEach((t, i) => g.fillText(t, lab + i * vec, 10));
    g.fillText('q·k/√d', lab + 3 * vec, 10);
    g.fillText('softmax', lab + 3 * vec + 70, 10);
    g.fillStyle = cssVar('--fg');
    g.font = '12px ' + cssVar('--font-tokens');
    g.textAlign = 'right';
    g.fillText(p.tokens[qi], lab - 6, 30 + rh / 2, lab - 8);
    cells(lab, 30, 0);
    for (let j = 0; j < T; j++) {
      const y = 30 + (j + 1) * rh, prob = ex[j] / sum;
      g.fillStyle = fg;
      g.textAlign = 'right';
      g.fillText(p.tokens[j], lab - 6, y + rh / 2, lab - 8);
      cells(lab + vec, y, 1 + j);
      cells(lab + 2 * vec, y, 1 + T + j);
      g.textAlign = 'left';
      g.fillStyle = muted;
      g.fillText(scores[j].toFixed(2), lab + 3 * vec, y + rh / 2);
      g.fillStyle = accent;
      g.fillRect(lab + 3 * vec + 70, y + 2, 70 * prob, rh - 6);
      g.fillStyle = fg;
      g.fillText(fmt3(prob), lab + 3 * vec + 146, y + rh / 2);
    }
    p.neuronTitle.textContent = 'Neuron view — layer ' + l + ', head ' + h + ', query “' + p.tokens[qi] + '”';
  }

  // Word-level attention from the token-level one (what attn_word_attention computes): from word u
  // to word v = mean over u's tokens of the sum over v's tokens, rows renormalised over the words;
  // tw [T] is each token's word (-1 = none). Returns [L][H][W][W] in the same fixed point.
  function wordsFromTokens(raw, tw, L, H, T, W, scale) {
    const out = new Uint16Array(L * H * W * W), row = new Float64Array(W), count = new Int32Array(W);
    for (const w of tw) if (w >= 0) count[w]++;
    for (let lh = 0; lh < L * H; lh++) {
      const off = lh * T * T, dst = lh * W * W;
      for (let u = 0; u < W; u++) {
        row.fill(0);
        for (let i = 0; i < T; i++) {
          if (tw[i] !== u) continue;
          for (let j = 0; j < T; j++) if (tw[j] >= 0) row[tw[j]] += raw[off + i * T + j];
        }
        let sum = 0;
        for (let v = 0; v < W; v++) sum += row[v];
        if (!count[u] || sum <= 0) continue;
        for (let v = 0; v < W; v++) out[dst + u * W + v] = Math.round((row[v] / sum) * scale);
      }
    }
    return out;
  }
  const hasWords = (e) => e.words && (e.word_attention || e.token_words);

  // ---- panels ----------------------------------------------------------------------------------
  function entryView(entry) {
    if (state.level === 'words' && entry.words && entry.word_attention)
      return { tokens: entry.words, desc: entry.word_attention, segments: null, q: null, k: null };
    if (state.level === 'words' && entry.words && entry.token_words)
      return { tokens: entry.words, desc: entry.attention, segments: null, q: null, k: null, derive: entry.token_words };
    return { tokens: entry.display || entry.tokens, desc: entry.attention, segments: entry.segments, q: entry.queries, k: entry.keys };
  }
  async function makePanel(entry) {
    const v = entryView(entry), model = MODELS[entry.model] || { label: 'model ' + entry.model };
    const p = { entry, model, tokens: v.tokens, segments: v.segments && v.segments.some((s) => s) ? v.segments : null,
      L: v.desc.shape[0], H: v.desc.shape[1], T: v.desc.shape[2], scale: v.desc.scale || 65535,
      raw: await decode(v.desc), cache: new Map(), selected: new Set(), hover: null, neuronToken: 0 };
    if (v.derive) { p.raw = wordsFromTokens(p.raw, v.derive, p.L, p.H, p.T, v.tokens.length, p.scale); p.T = v.tokens.length; }
    if (v.q && v.k) { p.q = await decode(v.q); p.k = await decode(v.k); p.d = v.q.shape[3]; }
    p.headCanvas = el('canvas', { class: 'headview' });
    p.modelCanvas = el('canvas', { class: 'modelview' });
    p.matrixCanvas = el('canvas', { class: 'matrix' });
    p.status = el('p', { class: 'status', text: '' });
    p.matrixStatus = el('p', { class: 'status', text: 'Hover the matrix for values (row attends to column).' });
    const info = el('p', { class: 'muted', text: (model.info ? model.info + ' · ' : '') + p.L + ' layers × ' + p.H + ' heads · ' + p.T + ' ' + state.level });
    p.legend = el('div', { class: 'legend' });
    const headBox = el('div', { class: 'scroll' }, [p.headCanvas]);
    p.detail = el('details', { class: 'view', open: true }, [el('summary', { text: 'Matrix (large)' }), el('div', { class: 'scroll' }, [p.matrixCanvas]), p.matrixStatus]);
    const modelDetails = el('details', { class: 'view', open: true }, [el('summary', { text: 'Model view — every layer × head (click one)' }), el('div', { class: 'scroll' }, [p.modelCanvas])]);
    const parts = [el('h2', { text: model.label }), info];
    if (entry.truncated) // the sentence was longer than the model's positions (attnscope truncated it)
      parts.push(el('p', { class: 'note truncated', text: 'Truncated: the sentence has ' + entry.truncated.tokens +
        ' tokens, more than the model\'s positions; these views show the ' + entry.truncated.kept + ' it kept.' }));
    parts.push(el('h3', { text: 'Head view' }), p.legend, p.status, headBox, p.detail);
    if (p.q) {
      p.neuronCanvas = el('canvas', { class: 'neuron' });
      p.neuronTitle = el('summary', { text: 'Neuron view' });
      p.neuronSelect = el('select', { title: 'query token' });
      p.tokens.forEach((t, i) => p.neuronSelect.appendChild(option(i, i + ': ' + t, i === 0)));
      p.neuronSelect.addEventListener('change', () => { p.neuronToken = Number(p.neuronSelect.value); drawNeuron(p); });
      parts.push(el('details', { class: 'view', open: true }, [p.neuronTitle, el('label', { class: 'ctl' }, [el('span', { text: 'query token' }), p.neuronSelect]), el('div', { class: 'scroll' }, [p.neuronCanvas])]));
    }
    parts.push(modelDetails);
    p.box = el('section', { class: 'panel' }, parts);
    bindHeadView(p);
    bindModelView(p);
    bindMatrix(p);
    return p;
  }
  function drawLegend(p) {
    p.legend.replaceChildren();
    if (state.layerAgg !== 'layer') { p.legend.appendChild(el('span', { class: 'muted', text: state.layerAgg === 'rollout' ? 'attention rollout up to this layer (all heads)' : 'mean over layers of the selected heads' })); return; }
    for (let h = 0; h < p.H; h++) {
      const b = el('button', { class: 'head' + (state.heads.has(h) ? ' on' : ''), text: String(h), title: 'head ' + h + ': click toggles, double-click solos' });
      b.style.setProperty('--head', headColor(h, p.H));
      b.addEventListener('click', (ev) => {
        if (ev.detail > 1) return;
        if (state.heads.has(h)) state.heads.delete(h); else state.heads.add(h);
        drawAll();
      });
      b.addEventListener('dblclick', () => { state.heads = new Set([h]); drawAll(); });
      p.legend.appendChild(b);
    }
  }
  function drawPanel(p) {
    drawLegend(p);
    drawHeadView(p);
    p.status.textContent = hoverText(p);
    drawMatrix(p);
    drawNeuron(p);
    drawModelView(p);
  }
  function drawAll() {
    for (const p of panels) drawPanel(p);
    renderSerial++;
    // first complete drawing, in ms since navigation start (read by the tests)
    if (!document.body.dataset.firstRenderMs) document.body.dataset.firstRenderMs = performance.now().toFixed(0);
    document.body.dataset.rendered = String(renderSerial);
  }

  // ---- controls --------------------------------------------------------------------------------
  function maxLayers() { return Math.max(1, ...panels.map((p) => p.L)); }
  function maxHeads() { return Math.max(1, ...panels.map((p) => p.H)); }
  function renderControls() {
    const bar = document.getElementById('controls');
    bar.replaceChildren();
    const L = maxLayers(), layers = Array.from({ length: L }, (_, l) => [l, 'layer ' + l]);
    bar.appendChild(select('Layer', layers, state.layer, (v) => { state.layer = Number(v); drawAll(); }));
    bar.appendChild(select('Heads', [['each', 'each selected head'], ['mean', 'mean of selected'], ['max', 'max of selected']], state.headAgg, (v) => { state.headAgg = v; drawAll(); }));
    bar.appendChild(select('Layers', [['layer', 'this layer'], ['mean', 'mean of layers'], ['rollout', 'rollout']], state.layerAgg, (v) => { state.layerAgg = v; drawAll(); }));
    bar.appendChild(select('Selected tokens', [['sum', 'sum'], ['mean', 'average']], state.combine, (v) => { state.combine = v; drawAll(); }));
    if (panels.some((p) => p.segments))
      bar.appendChild(select('Pairs', [['all', 'all'], ['AA', 'A→A'], ['BB', 'B→B'], ['AB', 'A→B'], ['BA', 'B→A']], state.pairs, (v) => { state.pairs = v; drawAll(); }));
    bar.appendChild(select('Layout', [['vertical', 'vertical'], ['horizontal', 'horizontal (long / CJK)']], state.layout, (v) => { state.layout = v; drawAll(); }));
    const s = SENTENCES[state.sentence];
    if (s && s.entries.length && s.entries.every(hasWords))
      bar.appendChild(select('Level', [['tokens', 'tokens'], ['words', 'words']], state.level, (v) => { state.level = v; openSentence(state.sentence); }));
    const all = el('button', { text: 'all heads', title: 'select every head' });
    all.addEventListener('click', () => { state.heads = new Set(Array.from({ length: maxHeads() }, (_, h) => h)); drawAll(); });
    const clear = el('button', { text: 'clear tokens', title: 'unselect tokens' });
    clear.addEventListener('click', () => { for (const p of panels) p.selected.clear(); drawAll(); });
    bar.appendChild(all);
    bar.appendChild(clear);
    bar.appendChild(el('span', { class: 'muted keys', text: '↑↓ layer · ←→ head' }));
  }
  function sentenceLabel(s, i) {
    const text = s.text.length > 90 ? s.text.slice(0, 87) + '…' : s.text;
    return '#' + i + (s.id ? ' ' + s.id : '') + ' — ' + text;
  }
  function renderPicker() {
    const box = document.getElementById('picker');
    box.replaceChildren();
    if (SENTENCES.length < 2) return;
    const domains = Array.from(new Set(SENTENCES.map((s) => s.domain || ''))).sort();
    const sel = el('select', { id: 'sentence', title: 'sentence' });
    let domainSel = null;
    const fill = (domain) => {
      sel.replaceChildren();
      const groups = new Map();
      SENTENCES.forEach((s, i) => {
        const d = s.domain || '';
        if (domain && d !== domain) return;
        if (!groups.has(d)) groups.set(d, el('optgroup', { label: d || '(no domain)' }));
        groups.get(d).appendChild(option(i, sentenceLabel(s, i), i === state.sentence));
      });
      for (const d of domains) if (groups.has(d)) sel.appendChild(groups.get(d));
    };
    if (domains.length > 1) {
      domainSel = el('select', { id: 'domain', title: 'domain' });
      domainSel.appendChild(option('', 'all domains', true));
      for (const d of domains) domainSel.appendChild(option(d, d || '(no domain)', false));
      domainSel.addEventListener('change', () => { fill(domainSel.value); if (sel.value !== '') openSentence(Number(sel.value)); });
      box.appendChild(el('label', { class: 'ctl' }, [el('span', { text: 'Domain' }), domainSel]));
    }
    fill('');
    sel.addEventListener('change', () => openSentence(Number(sel.value)));
    box.appendChild(el('label', { class: 'ctl wide' }, [el('span', { text: 'Sentence' }), sel]));
  }
  function renderModelToggles() {
    const box = document.getElementById('models');
    box.replaceChildren();
    if (MODELS.length < 2) return;
    box.appendChild(el('span', { class: 'muted', text: 'Models:' }));
    MODELS.forEach((m, i) => {
      const cb = el('input', { type: 'checkbox', checked: !state.hidden.has(i) });
      cb.addEventListener('change', () => { if (cb.checked) state.hidden.delete(i); else state.hidden.add(i); openSentence(state.sentence); });
      box.appendChild(el('label', { class: 'ctl' }, [cb, el('span', { text: m.label })]));
    });
  }

  async function openSentence(i) {
    const s = SENTENCES[i];
    if (!s) return;
    state.sentence = i;
    blobCache.clear(); // keep only the shown sentence decoded
    const sel = document.getElementById('sentence');
    if (sel && sel.value !== String(i)) sel.value = String(i);
    const text = document.getElementById('sentence-text');
    text.replaceChildren(el('span', { text: s.text }));
    if (s.pair) text.appendChild(el('span', { class: 'pair', text: s.pair }));
    if (s.domain) text.appendChild(el('span', { class: 'tag', text: s.domain }));
    const entries = s.entries.filter((e) => !state.hidden.has(e.model));
    const serial = ++openSerial;
    const made = [];
    for (const e of entries) made.push(await makePanel(e));
    if (serial !== openSerial) return; // a newer openSentence won
    panels = made;
    if (!state.heads) state.heads = new Set(Array.from({ length: maxHeads() }, (_, h) => h));
    state.layer = Math.min(state.layer, maxLayers() - 1);
    const box = document.getElementById('panels');
    box.replaceChildren(...panels.map((p) => p.box));
    if (!panels.length) box.appendChild(el('p', { class: 'muted', text: 'No attention stored for this sentence.' }));
    renderControls();
    drawAll();
  }

  // ---- tables and charts ---------------------------------------------------------------------
  function cellText(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
    return String(v);
  }
  function renderTable(t) {
    const linkCol = t.link ? t.columns.indexOf(t.link) : -1;
    const layerCol = t.columns.indexOf('layer'), headCol = t.columns.indexOf('head'); // head statistics
    const filter = el('input', { type: 'search', placeholder: 'filter rows', title: 'filter rows' });
    const count = el('span', { class: 'muted' });
    const tbody = el('tbody');
    let sortCol = -1, sortDir = 1;
    const headRow = el('tr');
    t.columns.forEach((c, k) => {
      const th = el('th', { text: c, title: 'sort' });
      th.addEventListener('click', () => { sortDir = sortCol === k ? -sortDir : 1; sortCol = k; fill(); });
      headRow.appendChild(th);
    });
    const fill = () => {
      const q = filter.value.toLowerCase();
      let rows = t.rows.filter((r) => !q || r.some((v) => cellText(v).toLowerCase().includes(q)));
      if (sortCol >= 0) rows = rows.slice().sort((a, b) => {
        const x = a[sortCol], y = b[sortCol];
        if (typeof x === 'number' && typeof y === 'number') return (x - y) * sortDir;
        return cellText(x).localeCompare(cellText(y)) * sortDir;
      });
      tbody.replaceChildren();
      for (const r of rows.slice(0, 2000)) {
        const tr = el('tr', null, r.map((v) => el('td', typeof v === 'number' ? { text: cellText(v), class: 'num', title: String(v) } : { text: cellText(v) })));
        const sentence = linkCol >= 0 && Number.isInteger(r[linkCol]) && SENTENCES[r[linkCol]] ? r[linkCol] : -1;
        const head = layerCol >= 0 && headCol >= 0 && Number.isInteger(r[layerCol]) && Number.isInteger(r[headCol]);
        if (sentence >= 0 || head) {
          tr.className = 'link';
          tr.title = (sentence >= 0 ? 'open sentence ' + sentence : '') + (head ? ' layer ' + r[layerCol] + ', head ' + r[headCol] : '');
          tr.addEventListener('click', () => openRow(sentence, head ? r[layerCol] : -1, head ? r[headCol] : -1));
        }
        tbody.appendChild(tr);
      }
      count.textContent = rows.length + ' of ' + t.rows.length + ' rows';
    };
    filter.addEventListener('input', fill);
    fill();
    return el('section', { class: 'table' }, [el('h3', { text: t.title || 'Table' }), el('div', { class: 'row' }, [filter, count]),
      el('div', { class: 'scroll' }, [el('table', null, [el('thead', null, [headRow]), tbody])])]);
  }
  // A table row: its sentence and/or its layer and head in the views.
  async function openRow(sentence, layer, head) {
    if (sentence >= 0 && sentence !== state.sentence) await openSentence(sentence);
    if (layer >= 0) {
      state.layer = Math.min(layer, maxLayers() - 1);
      state.heads = new Set([head]);
      state.headAgg = 'each';
      state.layerAgg = 'layer';
      renderControls();
      drawAll();
    }
    document.getElementById('top').scrollIntoView();
  }
  // SVG from elsewhere, made inert: no scripts, handlers, foreign content or outside references.
  function sanitizeSvg(text) {
    // Renamed before parsing: a parsed document shares the page's CSP, which would report (and
    // block) style attributes and handlers even though they are removed right after.
    const renamed = text.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, '$1data-attn-$2$3');
    const doc = new DOMParser().parseFromString(renamed, 'image/svg+xml'), root = doc.documentElement;
    if (!root || root.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
    const banned = new Set(['script', 'foreignObject', 'iframe', 'object', 'embed', 'style', 'animate', 'set', 'animateTransform', 'animateMotion', 'handler', 'listener']);
    const styles = [];
    for (const node of Array.from(root.querySelectorAll('*')).concat([root])) {
      if (banned.has(node.localName)) { node.remove(); continue; }
      for (const a of Array.from(node.attributes)) {
        const name = a.name.toLowerCase(), v = a.value.trim().toLowerCase();
        if (name.startsWith('on') || (name.startsWith('data-attn-on'))) node.removeAttribute(a.name);
        else if ((name === 'href' || name === 'xlink:href' || name === 'src') && !(v.startsWith('#') || v.startsWith('data:image/png') || v.startsWith('data:image/jpeg'))) node.removeAttribute(a.name);
        else if (name === 'data-attn-style') { styles.push([node, a.value.replace(/url\s*\((?!\s*['"]?#)/gi, 'none(')]); node.removeAttribute(a.name); } // local url(#id) kept: gradients
        else if (/url\s*\(\s*['"]?(?!#)/i.test(a.value)) node.removeAttribute(a.name);
      }
    }
    const svg = document.importNode(root, true);
    // style attributes cannot pass the page's CSP; their declarations go through the CSSOM instead
    const copies = [svg].concat(Array.from(svg.querySelectorAll('*')));
    const originals = [root].concat(Array.from(root.querySelectorAll('*')));
    for (const [node, css] of styles) { const k = originals.indexOf(node); if (k >= 0) copies[k].style.cssText = css; }
    return svg;
  }
  function renderStudy() {
    const box = document.getElementById('study');
    box.replaceChildren();
    const tables = META.tables || [], charts = META.charts || [];
    if (tables.length) box.appendChild(el('section', { class: 'tables' }, [el('h2', { text: 'Tables' })].concat(tables.map(renderTable))));
    if (charts.length) {
      const sec = el('section', { class: 'charts' }, [el('h2', { text: 'Charts' })]);
      for (const c of charts) {
        const svg = sanitizeSvg(c.svg), status = el('p', { class: 'status chart-value', text: svg && svg.querySelector('title') ? 'Hover the chart for its values.' : '' });
        if (svg) svg.addEventListener('mouseover', (ev) => { // a mark's <title> (its value), also shown as the tooltip
          const t = ev.target && ev.target.querySelector ? ev.target.querySelector(':scope > title') : null;
          if (t) status.textContent = t.textContent;
        });
        sec.appendChild(el('figure', { class: 'chart' }, [svg || el('p', { class: 'muted', text: 'not a valid SVG drawing' }), el('figcaption', { text: c.title || '' }), status]));
      }
      box.appendChild(sec);
    }
  }

  // ---- theme, keys, start ----------------------------------------------------------------------
  function setTheme(t) {
    state.theme = t;
    document.documentElement.dataset.theme = t;
    const b = document.getElementById('theme');
    if (b) b.textContent = t === 'dark' ? '☀ light' : '☾ dark';
    if (panels.length) drawAll();
  }
  function onKey(ev) {
    const tag = (ev.target && ev.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || ev.altKey || ev.ctrlKey || ev.metaKey || !panels.length) return;
    if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
      state.layer = Math.max(0, Math.min(maxLayers() - 1, state.layer + (ev.key === 'ArrowDown' ? 1 : -1)));
    } else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
      const H = maxHeads(), cur = state.heads.size === 1 ? Array.from(state.heads)[0] : (ev.key === 'ArrowRight' ? -1 : H);
      state.heads = new Set([(cur + (ev.key === 'ArrowRight' ? 1 : -1) + H) % H]);
      state.headAgg = 'each';
    } else if ((ev.key === 'PageDown' || ev.key === 'PageUp') && SENTENCES.length > 1) {
      openSentence((state.sentence + (ev.key === 'PageDown' ? 1 : SENTENCES.length - 1)) % SENTENCES.length);
      ev.preventDefault();
      return;
    } else return;
    ev.preventDefault();
    renderControls();
    drawAll();
  }
  function start() {
    const toolbar = document.getElementById('toolbar');
    const theme = el('button', { id: 'theme', title: 'light / dark theme' });
    theme.addEventListener('click', () => setTheme(state.theme === 'dark' ? 'light' : 'dark'));
    toolbar.appendChild(theme);
    const app = document.getElementById('app');
    app.replaceChildren(
      el('div', { id: 'picker', class: 'row' }), el('p', { id: 'sentence-text' }), el('div', { id: 'models', class: 'row' }),
      el('div', { id: 'controls', class: 'row controls' }), el('div', { id: 'panels', class: 'panels' }), el('div', { id: 'study' }));
    setTheme(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
    document.addEventListener('keydown', onKey);
    renderPicker();
    renderModelToggles();
    renderStudy();
    window.attnscope = { meta: META, state, openSentence, get panels() { return panels; }, tokenCenter, wordsFromTokens };
    if (SENTENCES.length) openSentence(0).catch(fail);
    else {
      document.body.dataset.firstRenderMs = performance.now().toFixed(0);
      document.body.dataset.rendered = '1';
    }
  }
  // Viewport coordinates of a token in a panel's head view, scrolled into view (for tests and tools).
  function tokenCenter(panel, side, i) {
    const p = panels[panel], at = p.geo.pos(side, i);
    let r = p.headCanvas.getBoundingClientRect();
    if (r.top + at.y < 160 || r.top + at.y > window.innerHeight - 40) {
      window.scrollBy(0, r.top + at.y - window.innerHeight / 2);
      r = p.headCanvas.getBoundingClientRect();
    }
    const dx = p.geo.horizontal ? 0 : (side === 0 ? -20 : 20), dy = p.geo.horizontal ? (side === 0 ? -20 : 20) : 0;
    return { x: r.left + at.x + dx, y: r.top + at.y + dy };
  }
  function fail(e) {
    document.getElementById('panels').replaceChildren(el('p', { class: 'error', text: String(e && e.message ? e.message : e) }));
    throw e;
  }
  start();
})();
