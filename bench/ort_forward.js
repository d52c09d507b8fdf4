#!/usr/bin/env node
// ort_forward.js — the ONNX Runtime peer for bench_forward: the graph torch_forward.py exports from
// the same torch.nn.functional encoder, run by npm onnxruntime-node on the same ids.
//
//   ORT_MODULE=/path/to/node_modules/onnxruntime-node node bench/ort_forward.js MODEL.onnx CONFIG.json
//       [--tokens T] [--batch B] [--corpus IDS] [--runs N] [--warmup W] [--threads n] [--check DUMP.safetensors]
//
// intra-op threads = --threads (default 2), inter-op 1, sequential execution, all graph optimisations.
// The graph takes input_ids and attention_mask (torch_forward.py --export-onnx).
// --corpus IDS (corpus mode): the ids file of bench_corpus --ids-out (one sentence a line, in batch
// order), run in batches of --batch consecutive sentences, each padded with pad_token_id to its
// longest sentence, with the attention mask; one timed run = every batch.
// --check compares the attentions and last hidden state with bench_forward --dump (sequence 0), or
// with --corpus every sentence's real tokens with bench_corpus --dump. --runs 0 only checks.
// The last line of output is one JSON object, for scripts.
'use strict';
const fs = require('fs');
const ort = require(process.env.ORT_MODULE || 'onnxruntime-node');

function parseArgs(argv) {
  const a = { tokens: 25, batch: 1, runs: 30, warmup: 5, threads: 2, check: null, corpus: null, pos: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--check') a.check = argv[++i];
    else if (k === '--corpus') a.corpus = argv[++i];
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

function readIds(path) {
  return fs.readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).map(Number));
}

// Consecutive runs of `batch` sentences, each padded to its longest: [{ feeds, lens, T }].
function paddedBatches(sentences, batch, pad) {
  const out = [];
  for (let i = 0; i < sentences.length; i += batch) {
    const rows = sentences.slice(i, i + batch), T = Math.max(...rows.map((r) => r.length)), B = rows.length;
    const ids = new BigInt64Array(B * T).fill(BigInt(pad)), mask = new BigInt64Array(B * T);
    rows.forEach((r, b) => r.forEach((id, t) => { ids[b * T + t] = BigInt(id); mask[b * T + t] = 1n; }));
    out.push({ feeds: { input_ids: new ort.Tensor('int64', ids, [B, T]), attention_mask: new ort.Tensor('int64', mask, [B, T]) },
               lens: rows.map((r) => r.length), T });
  }
  return out;
}

// Largest differences over every real token to the dump (corpus: every sentence; else sentence 0).
async function checkDump(session, batches, path, corpus) {
  const ref = readSafetensors(path);
  let attDiff = 0, hDiff = 0, k = 0;
  for (const { feeds, lens, T: TP } of batches) {
    const r = await session.run(feeds);
    const att = r.attentions.data, h = r.last_hidden_state.data; // [L, B, NH, TP, TP], [B, TP, C]
    const [L, B, NH] = r.attentions.dims;
    for (let j = 0; j < lens.length; j++, k++) {
      const sfx = corpus ? `.${k}` : '', T = lens[j];
      const ids = ref['input_ids' + sfx], refAtt = ref['attentions' + sfx], refH = ref['last_hidden_state' + sfx];
      const mine = Array.from(feeds.input_ids.data.subarray(j * TP, j * TP + T), Number);
      if (!ids || Array.from(ids).join() !== mine.join()) throw new Error(`the dump was made with other token ids (sentence ${k})`);
      if (refAtt.shape.join() !== [L, NH, T, T].join()) throw new Error(`attention shape ${[L, NH, T, T]} != dump ${refAtt.shape}`);
      for (let l = 0; l < L; l++)
        for (let hh = 0; hh < NH; hh++)
          for (let q = 0; q < T; q++)
            for (let c = 0; c < T; c++) {
              const got = att[((((l * B + j) * NH + hh) * TP + q) * TP) + c];
              attDiff = Math.max(attDiff, Math.abs(got - refAtt[((l * NH + hh) * T + q) * T + c]));
            }
      const C = refH.shape[1];
      for (let t = 0; t < T; t++) {
        let mx = 0, d = 0;
        for (let c = 0; c < C; c++) {
          const want = refH[t * C + c];
          mx = Math.max(mx, Math.abs(want)), d = Math.max(d, Math.abs(h[(j * TP + t) * C + c] - want));
        }
        hDiff = Math.max(hDiff, d / mx);
      }
      if (!corpus) return { attDiff, hDiff, k: 1 };
    }
  }
  return { attDiff, hDiff, k };
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
  if (!session.inputNames.includes('attention_mask'))
    throw new Error(`${onnxPath} has no attention_mask input: re-export it (torch_forward.py --export-onnx)`);
  const T = a.tokens, B = a.batch;
  const sentences = [];
  if (a.corpus) sentences.push(...readIds(a.corpus));
  else for (let b = 0; b < B; b++) sentences.push(benchIds(T, cfg.vocab_size, arch, b));
  const batches = paddedBatches(sentences, B, cfg.pad_token_id ?? 0);
  const ver = require((process.env.ORT_MODULE || 'onnxruntime-node') + '/package.json').version;
  console.log(`ort_forward: ${onnxPath} (onnxruntime-node ${ver}, ${a.threads} intra-op threads, loaded in ${loadMs} ms)`);

  let check = {};
  if (a.check) {
    const { attDiff, hDiff, k } = await checkDump(session, a.corpus ? batches : batches.slice(0, 1), a.check, !!a.corpus);
    const agree = attDiff <= 1e-5 && hDiff <= 1e-4;
    check = { att_max_abs_diff: attDiff, hidden_max_rel_diff: hDiff, agree, checked_sentences: k };
    console.log(`check     vs ${a.check} (${k} sentences${a.corpus ? `, padded batches of ${B}` : ''}): attentions max |diff| ` +
                `${attDiff.toExponential(2)} (tol 1e-5), last hidden max rel diff ${hDiff.toExponential(2)} (tol 1e-4): ${agree ? 'AGREE' : 'DIFFER'}`);
  }
  if (a.runs === 0) {
    console.log(JSON.stringify({ bench: 'ort_forward', ort: ver, ...check }));
    process.exit(a.check && !check.agree ? 1 : 0);
  }

  const times = [];
  for (let r = 0; r < a.warmup + a.runs; r++) {
    const s = process.hrtime.bigint();
    for (const { feeds } of batches) await session.run(feeds);
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (r >= a.warmup) times.push(ms);
  }
  const mean = times.reduce((x, y) => x + y, 0) / times.length;
  const std = Math.sqrt(times.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, times.length - 1));
  const med = median(times), min = Math.min(...times);
  const tokens = sentences.reduce((x, s) => x + s.length, 0), padded = batches.reduce((x, b) => x + b.T * b.lens.length, 0);
  const what = a.corpus ? `corpus ${a.corpus}: ${sentences.length} sentences, ${tokens} tokens (${padded} padded), batches of ${B}` : `T=${T} batch ${B}`;
  console.log(`forward   ${what} attentions: mean ${mean.toFixed(2)} ms  std ${std.toFixed(2)}  min ${min.toFixed(2)}  ` +
              `median ${med.toFixed(2)}  (${a.runs} runs, ${a.warmup} warm-up)`);
  console.log(JSON.stringify({ bench: 'ort_forward', ort: ver, threads: a.threads, model_type: arch, tokens: a.corpus ? tokens : T, padded_tokens: padded,
                               sentences: sentences.length, batch: B,
                               runs: a.runs, mean_ms: mean, std_ms: std, min_ms: min, median_ms: med, ...check }));
  if (a.check && !check.agree) process.exit(1);
}

main().catch((e) => { console.error(`ort_forward: ${e.message}`); process.exit(1); });
