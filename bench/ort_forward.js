#!/usr/bin/env node
// ort_forward.js — the ONNX Runtime peer for bench_forward: the graph torch_forward.py exports from
// the same torch.nn.functional encoder, run by npm onnxruntime-node on the same ids.
//
//   ORT_MODULE=/path/to/node_modules/onnxruntime-node node bench/ort_forward.js MODEL.onnx CONFIG.json
//       [--tokens T] [--batch B] [--runs N] [--warmup W] [--threads n] [--check DUMP.safetensors]
//
// intra-op threads = --threads (default 2), inter-op 1, sequential execution, all graph optimisations.
// --check compares the attentions and last hidden state of sequence 0 with bench_forward --dump.
// The last line of output is one JSON object, for scripts.
'use strict';
const fs = require('fs');
const ort = require(process.env.ORT_MODULE || 'onnxruntime-node');

function parseArgs(argv) {
  const a = { tokens: 25, batch: 1, runs: 30, warmup: 5, threads: 2, check: null, pos: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--check') a.check = argv[++i];
    else if (k.startsWith('--')) a[k.slice(2)] = parseInt(argv[++i], 10);
    else a.pos.push(k);
  }
  if (a.pos.length !== 2) throw new Error('usage: ort_forward.js MODEL.onnx CONFIG.json [--tokens T] [--batch B] ...');
  return a;
}

// Same lists as bench_forward.c's bench_ids.
function benchIds(T, vocab, arch, row) {
  const ids = [];
  for (let t = 0; t < T; t++) ids.push(1000 + (((t + 31 * row) * 7919) % (vocab - 2000)));
  const [cls, sep] = arch === 'roberta' ? [0, 2] : [101, 102];
  ids[0] = cls;
  if (T > 1) ids[T - 1] = sep;
  return ids;
}

function readSafetensors(path) {
  const buf = fs.readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets;
    const bytes = buf.subarray(8 + n + b, 8 + n + e);
    const copy = new Uint8Array(bytes); // aligned
    out[name] = info.dtype === 'F32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    out[name].shape = info.shape;
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const [onnxPath, cfgPath] = a.pos;
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  const arch = cfg.model_type;
  const t0 = Date.now();
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: a.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const loadMs = Date.now() - t0;
  const T = a.tokens, B = a.batch;
  const rows = [];
  for (let b = 0; b < B; b++) rows.push(benchIds(T, cfg.vocab_size, arch, b));
  const ids = new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, T]);
  const ver = require((process.env.ORT_MODULE || 'onnxruntime-node') + '/package.json').version;
  console.log(`ort_forward: ${onnxPath} (onnxruntime-node ${ver}, ${a.threads} intra-op threads, loaded in ${loadMs} ms)`);

  let check = {};
  if (a.check) {
    const ref = readSafetensors(a.check);
    if (Array.from(ref.input_ids).join() !== rows[0].join()) throw new Error('the dump was made with other token ids');
    const one = new ort.Tensor('int64', BigInt64Array.from(rows[0].map(BigInt)), [1, T]);
    const r = await session.run({ input_ids: one });
    const att = r.attentions.data, refAtt = ref.attentions; // [L,1,NH,T,T] vs [L,NH,T,T]: same order
    let attDiff = 0;
    for (let i = 0; i < refAtt.length; i++) attDiff = Math.max(attDiff, Math.abs(att[i] - refAtt[i]));
    const h = r.last_hidden_state.data, refH = ref.last_hidden_state, C = refH.shape[1];
    let hDiff = 0;
    for (let t = 0; t < T; t++) {
      let mx = 0, d = 0;
      for (let c = 0; c < C; c++) mx = Math.max(mx, Math.abs(refH[t * C + c])), d = Math.max(d, Math.abs(h[t * C + c] - refH[t * C + c]));
      hDiff = Math.max(hDiff, d / mx);
    }
    const agree = attDiff <= 1e-5 && hDiff <= 1e-4;
    check = { att_max_abs_diff: attDiff, hidden_max_rel_diff: hDiff, agree };
    console.log(`check     vs ${a.check}: attentions max |diff| ${attDiff.toExponential(2)} (tol 1e-5), last hidden max rel diff ` +
                `${hDiff.toExponential(2)} (tol 1e-4): ${agree ? 'AGREE' : 'DIFFER'}`);
  }

  const times = [];
  for (let r = 0; r < a.warmup + a.runs; r++) {
    const s = process.hrtime.bigint();
    await session.run({ input_ids: ids });
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (r >= a.warmup) times.push(ms);
  }
  const mean = times.reduce((x, y) => x + y, 0) / times.length;
  const std = Math.sqrt(times.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, times.length - 1));
  const med = median(times), min = Math.min(...times);
  console.log(`forward   T=${T} batch ${B} attentions: mean ${mean.toFixed(2)} ms  std ${std.toFixed(2)}  min ${min.toFixed(2)}  ` +
              `median ${med.toFixed(2)}  (${a.runs} runs, ${a.warmup} warm-up)`);
  console.log(JSON.stringify({ bench: 'ort_forward', ort: ver, threads: a.threads, model_type: arch, tokens: T, batch: B,
                               runs: a.runs, mean_ms: mean, std_ms: std, min_ms: min, median_ms: med, ...check }));
  if (a.check && !check.agree) process.exit(1);
}

main().catch((e) => { console.error(`ort_forward: ${e.message}`); process.exit(1); });
