// Runs share-link queries in the wasm build of the core and prints one JSON line per query:
// {"query": ..., "code": 0|2, "output": ...}. Usage: node tests/wasm_query.mjs MODULE.wasm Q1 Q2 ...
import { readFileSync } from 'node:fs';

const [wasmPath, ...queries] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const e = instance.exports;
for (const query of queries) {
  const bytes = new TextEncoder().encode(query);
  const ptr = e.query_buffer(bytes.length);
  new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
  const code = e.run(ptr, bytes.length);
  const out = new Uint8Array(e.memory.buffer, e.output_ptr(), e.output_len());
  console.log(JSON.stringify({ query, code, output: new TextDecoder().decode(out) }));
}
