// Hugging Face's own tokenizers library (Rust, via the @anush008/tokenizers Node build) on the same
// text as bench_tokenize, for the throughput ratio.
//   npm install @anush008/tokenizers    (set NODE_PATH to its node_modules)
//   node bench/hf_tokenize_bench.js TOKENIZER_JSON [TEXT_FILE] [--repeat N]
const fs = require('fs');
const { Tokenizer } = require('@anush008/tokenizers');

(async () => {
  const args = process.argv.slice(2);
  let repeat = 3;
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--repeat') repeat = parseInt(args[++i], 10);
    else pos.push(args[i]);
  }
  const [tokPath, textPath = '/tmp/attnscope-bench-text.txt'] = pos;
  const tok = Tokenizer.fromFile(tokPath);
  const text = fs.readFileSync(textPath, 'utf8');
  const mb = Buffer.byteLength(text, 'utf8') / 1e6;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let bestWhole = Infinity, bestLines = Infinity, tokens = 0;
  for (let r = 0; r < repeat; r++) {
    let t0 = process.hrtime.bigint();
    const e = await tok.encode(text);
    let t1 = process.hrtime.bigint();
    tokens = e.getIds().length;
    bestWhole = Math.min(bestWhole, Number(t1 - t0) / 1e9);
    t0 = process.hrtime.bigint();
    for (const l of lines) await tok.encode(l);
    t1 = process.hrtime.bigint();
    bestLines = Math.min(bestLines, Number(t1 - t0) / 1e9);
  }
  console.log(`huggingface ${tokPath} ${mb.toFixed(2)} MB (${textPath}), ${tokens} tokens, ${lines.length} lines`);
  console.log(`  whole text  : ${(mb / bestWhole).toFixed(2).padStart(8)} MB/s  (${bestWhole.toFixed(3)} s)`);
  console.log(`  line by line: ${(mb / bestLines).toFixed(2).padStart(8)} MB/s  (${bestLines.toFixed(3)} s)`);
})().catch(e => { console.error(String(e)); process.exit(1); });
