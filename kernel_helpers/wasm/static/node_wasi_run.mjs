// Run a wasm32-wasi module under Node's own WASI (preview1): the second host of
// notebook 07's portability cell. Usage: node --no-warnings node_wasi_run.mjs MODULE [ARGS...]
// The guest's stdout/stderr are this process's; on exit, one last stderr line reports
// what Node itself saw: {"kit_node_wasi": {"sha256": ..., "compile_ms": ..., "run_ms": ...}}.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { WASI } from 'node:wasi';
import { basename } from 'node:path';
import process from 'node:process';

const [modulePath, ...guestArgs] = process.argv.slice(2);
const bytes = await readFile(modulePath);
const sha256 = createHash('sha256').update(bytes).digest('hex');
// The guest gets its arguments and nothing else: no environment, no directories.
// argv[0] is the file name, as the kit's wasmtime runner gives it, so outputs compare.
const wasi = new WASI({ version: 'preview1', args: [basename(modulePath), ...guestArgs], env: {}, returnOnExit: true });
const began = performance.now();
const module = await WebAssembly.compile(bytes);
const compiled = performance.now();
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
const finished = performance.now();
process.stderr.write('\n' + JSON.stringify({ kit_node_wasi: {
  sha256, compile_ms: compiled - began, run_ms: finished - compiled, node: process.version } }) + '\n');
process.exitCode = code;
