// Runs a WASI 0.2 command component in the browser: the JavaScript that
// `jco transpile --instantiation async` made from it, on preview2-shim's browser
// implementation of WASI 0.2 (notebook 11, "the same component in four hosts").
//
// The relative imports below are preview2-shim's own browser modules
// (@bytecodealliance/preview2-shim/dist/browser/): this file is loaded beside them, never
// from this folder. In JupyterLab the widget turns each into a blob: URL (wasi_shim.js,
// loadModules); under Node, tests copy them into one folder.
//
// The core modules are not jco's copies: they are sliced out of the component's own bytes,
// the bytes wasmtime ran on the server, so the sha256 the widget shows covers them too.

import { createCli } from "./cli.js";
import { monotonicClock, wallClock } from "./clocks.js";
import { types } from "./filesystem.js";
import { error, poll, streams } from "./io.js";
import { insecure, insecureSeed, random } from "./random.js";

// What stdout and stderr write lands in: whole chunks, decoded once at the end.
function collector(chunks) {
  return {
    write(bytes) {
      chunks.push(bytes.slice());
    },
    flush() {},
    blockingFlush() {},
  };
}

// stdin as a pipe that holds `bytes` and then reports end of file ("closed").
function pipeFrom(bytes) {
  let at = 0;
  return {
    blockingRead(length) {
      if (at >= bytes.length) throw { tag: "closed" };
      const size = Math.min(Number(length), bytes.length - at);
      at += size;
      return bytes.slice(at - size, at);
    },
  };
}

// The import object jco's `instantiate` asks for, keyed by interface without version.
// No directories are preopened, as wasmtime runs it without --dir.
function wasiImports({ args, env, stdin, stdout, stderr }) {
  const cli = createCli({
    arguments: args,
    environment: env,
    stdin: pipeFrom(stdin),
    stdout: collector(stdout),
    stderr: collector(stderr),
  });
  const imports = {
    "wasi:clocks/monotonic-clock": monotonicClock,
    "wasi:clocks/wall-clock": wallClock,
    "wasi:filesystem/preopens": { getDirectories: () => [] },
    "wasi:filesystem/types": types,
    "wasi:io/error": error,
    "wasi:io/poll": poll,
    "wasi:io/streams": streams,
    "wasi:random/insecure": insecure,
    "wasi:random/insecure-seed": insecureSeed,
    "wasi:random/random": random,
  };
  const cliNames = {
    environment: "environment", exit: "exit", stdin: "stdin", stdout: "stdout",
    stderr: "stderr", "terminal-input": "terminalInput", "terminal-output": "terminalOutput",
    "terminal-stdin": "terminalStdin", "terminal-stdout": "terminalStdout",
    "terminal-stderr": "terminalStderr",
  };
  for (const [name, key] of Object.entries(cliNames)) imports[`wasi:cli/${name}`] = cli[key];
  return imports;
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// wasi:cli/exit arrives as preview2-shim's ComponentExit; `run` returning its `err` case
// arrives as jco's ComponentError. Both end the program with a code, as in wasmtime.
function exitCode(err) {
  if (err?.exitError) return err.code;
  if (err?.constructor?.name === "ComponentError") return 1;
  return null;
}

/**
 * Compile the core modules found in `component` at `coreModules` ({jco file name:
 * [offset, length]}), instantiate jco's glue with them and WASI 0.2, run wasi:cli/run.
 * Never throws for a guest problem; the result has the shape runWasi's has, plus
 * `core_modules`, the number of core modules compiled.
 */
export async function runComponent(instantiate, component, coreModules, { args = [], env = {}, stdin } = {}) {
  const result = {
    stdout: "", stderr: "", exit_code: null, error: "", unsupported_calls: [],
    compile_ms: null, instantiate_ms: null, run_ms: null, core_modules: 0,
  };
  const output = { stdout: [], stderr: [] };
  let phase = "compile";
  try {
    let started = performance.now();
    const compiled = {};
    for (const [name, [offset, length]] of Object.entries(coreModules)) {
      compiled[name] = await WebAssembly.compile(component.subarray(offset, offset + length));
    }
    result.compile_ms = performance.now() - started;
    result.core_modules = Object.keys(compiled).length;

    phase = "instantiate";
    const imports = wasiImports({ args, env, stdin: stdin ?? new Uint8Array(), ...output });
    started = performance.now();
    const exports = await instantiate((name) => compiled[name], imports);
    result.instantiate_ms = performance.now() - started;

    phase = "run";
    started = performance.now();
    try {
      exports.run.run();
      result.exit_code = 0;
    } catch (err) {
      result.exit_code = exitCode(err);
      if (result.exit_code === null) throw err;
    } finally {
      result.run_ms = performance.now() - started;
    }
  } catch (err) {
    result.error = `${phase} failed: ${err}`;
  }
  const decoder = new TextDecoder();
  result.stdout = decoder.decode(concat(output.stdout));
  result.stderr = decoder.decode(concat(output.stderr));
  return result;
}
