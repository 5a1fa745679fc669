// A small WASI preview1 shim written for the kit, plus the anywidget view that uses it.
//
// It runs the very bytes wasmtime ran on the server inside the learner's own browser
// engine (notebooks 00, 01 and 07). It implements only what a command-line program
// printing to stdout needs: args, environ, fd_write to stdout/stderr, fd_read from the
// stdin bytes it is given, proc_exit,
// clock_time_get, random_get, and the few stdio queries libc makes at start-up.
// Every other WASI call answers ENOSYS (52) honestly and is listed in the result, so
// a learner sees what a browser does not give a module, instead of a silent fake.
//
// The same file runs under Node (tests/integration/test_wasi_shim_node.py) and in
// JupyterLab (anywidget loads it as an ES module; `render` is its entry point).
//
// A component (notebook 11) is not run by this shim: the widget links the ES modules the
// kernel sends (preview2-shim's browser WASI 0.2, component_host.js, jco's glue) and
// component_host.js runs it; see loadModules and runComponentModel.

const WASI = "wasi_snapshot_preview1";
const ERRNO = { SUCCESS: 0, BADF: 8, INVAL: 28, NOSYS: 52 };
const FILETYPE_CHARACTER_DEVICE = 2;
const RIGHTS_FD_READ = 1n << 1n;
const RIGHTS_FD_WRITE = 1n << 6n;

// Thrown by proc_exit to unwind the guest: the WASI way of ending `_start` early.
class ProcExit extends Error {
  constructor(code) {
    super(`proc_exit(${code})`);
    this.code = code;
  }
}

export function toBytes(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }
  throw new TypeError("module bytes must be an ArrayBuffer, a typed array or a DataView");
}

// NUL-terminated UTF-8 strings laid out the way args_get / environ_get expect.
function encodeStrings(strings) {
  const encoder = new TextEncoder();
  const encoded = strings.map((s) => encoder.encode(`${s}\0`));
  const size = encoded.reduce((total, e) => total + e.length, 0);
  return { encoded, size };
}

function concat(chunks) {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// The WASI functions this shim implements; `memory()` is the guest's memory, looked up
// on every call because memory.grow replaces the underlying buffer.
function wasiImports(memory, argv, env, streams, stdin = new Uint8Array(0)) {
  const args = encodeStrings(argv);
  let stdinAt = 0;
  const environ = encodeStrings(Object.entries(env).map(([k, v]) => `${k}=${v}`));
  const view = () => new DataView(memory().buffer);
  const bytes = () => new Uint8Array(memory().buffer);

  const putStrings = ({ encoded }, pointersAt, bufferAt) => {
    let at = bufferAt;
    encoded.forEach((e, i) => {
      view().setUint32(pointersAt + 4 * i, at, true);
      bytes().set(e, at);
      at += e.length;
    });
    return ERRNO.SUCCESS;
  };
  const putSizes = ({ encoded, size }, countAt, sizeAt) => {
    view().setUint32(countAt, encoded.length, true);
    view().setUint32(sizeAt, size, true);
    return ERRNO.SUCCESS;
  };

  return {
    args_sizes_get: (countAt, sizeAt) => putSizes(args, countAt, sizeAt),
    args_get: (pointersAt, bufferAt) => putStrings(args, pointersAt, bufferAt),
    environ_sizes_get: (countAt, sizeAt) => putSizes(environ, countAt, sizeAt),
    environ_get: (pointersAt, bufferAt) => putStrings(environ, pointersAt, bufferAt),

    fd_write(fd, iovs, iovsLen, writtenAt) {
      const sink = streams[fd];
      if (!sink || fd === 0) return ERRNO.BADF;
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const base = view().getUint32(iovs + 8 * i, true);
        const length = view().getUint32(iovs + 8 * i + 4, true);
        sink.push(bytes().slice(base, base + length));
        written += length;
      }
      view().setUint32(writtenAt, written, true);
      return ERRNO.SUCCESS;
    },

    // Standard input is the bytes the caller gave (notebook 08's sha256 reads 8 MiB).
    fd_read(fd, iovs, iovsLen, readAt) {
      if (fd !== 0) return ERRNO.BADF;
      let read = 0;
      for (let i = 0; i < iovsLen && stdinAt < stdin.length; i++) {
        const base = view().getUint32(iovs + 8 * i, true);
        const length = view().getUint32(iovs + 8 * i + 4, true);
        const chunk = stdin.subarray(stdinAt, stdinAt + length);
        bytes().set(chunk, base);
        stdinAt += chunk.length;
        read += chunk.length;
      }
      view().setUint32(readAt, read, true);
      return ERRNO.SUCCESS;
    },

    // libc asks whether stdio is a terminal; anything past fd 2 does not exist here.
    fd_fdstat_get(fd, statAt) {
      if (fd > 2) return ERRNO.BADF;
      const rights = fd === 0 ? RIGHTS_FD_READ : RIGHTS_FD_WRITE;
      view().setUint8(statAt, FILETYPE_CHARACTER_DEVICE);
      view().setUint16(statAt + 2, 0, true);
      view().setBigUint64(statAt + 8, rights, true);
      view().setBigUint64(statAt + 16, 0n, true);
      return ERRNO.SUCCESS;
    },
    // No preopened directories: EBADF is how libc learns the list has ended.
    fd_prestat_get: () => ERRNO.BADF,
    fd_prestat_dir_name: () => ERRNO.BADF,

    proc_exit(code) {
      throw new ProcExit(code);
    },

    clock_time_get(clockId, _precision, timeAt) {
      let nanoseconds;
      if (clockId === 0) {
        nanoseconds = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      } else if (clockId === 1) {
        nanoseconds = BigInt(Math.round(performance.now() * 1e6));
      } else {
        return ERRNO.INVAL;
      }
      view().setBigUint64(timeAt, nanoseconds, true);
      return ERRNO.SUCCESS;
    },

    random_get(bufferAt, length) {
      // getRandomValues fills at most 65536 bytes per call.
      for (let done = 0; done < length; done += 65536) {
        const size = Math.min(65536, length - done);
        crypto.getRandomValues(new Uint8Array(memory().buffer, bufferAt + done, size));
      }
      return ERRNO.SUCCESS;
    },
  };
}

// Everything the module imports from WASI: implemented calls, or ENOSYS with a record of
// the call. Imports from any other namespace are left out, so instantiate names them.
function buildImports(module, implemented, unsupported) {
  const wasi = {};
  for (const { module: namespace, name, kind } of WebAssembly.Module.imports(module)) {
    if (namespace !== WASI || kind !== "function") continue;
    wasi[name] =
      implemented[name] ??
      (() => {
        if (!unsupported.includes(name)) unsupported.push(name);
        return ERRNO.NOSYS;
      });
  }
  return { [WASI]: wasi };
}

/**
 * Compile, instantiate and run a WASI command module; never throws for a guest problem.
 * Returns stdout/stderr as text, the exit code (null after a trap), the error text,
 * the WASI calls answered with ENOSYS, and the engine's own timings in milliseconds.
 */
export async function runWasi(source, { args = [], env = {}, stdin } = {}) {
  let module;
  const started = performance.now();
  try {
    module = await WebAssembly.compile(toBytes(source));
  } catch (err) {
    return { ...emptyResult(), error: `compile failed: ${err}` };
  }
  const compile_ms = performance.now() - started;
  return { ...(await runCompiled(module, { args, env, stdin })), compile_ms };
}

function emptyResult() {
  return {
    stdout: "", stderr: "", exit_code: null, error: "", unsupported_calls: [],
    compile_ms: null, instantiate_ms: null, run_ms: null,
  };
}

/**
 * Instantiate an already compiled module and run its `_start`, as runWasi does after
 * compiling: what a repeated timing needs (notebook 08 compiles once, then runs it
 * again and again, as wasmtime's pre-instantiated module does on the server).
 */
export async function runCompiled(module, { args = [], env = {}, stdin } = {}) {
  const result = emptyResult();
  const streams = { 0: [], 1: [], 2: [] };
  let instance = null;
  let phase = "instantiate";
  try {
    const implemented = wasiImports(() => instance.exports.memory, args, env, streams, stdin);
    const imports = buildImports(module, implemented, result.unsupported_calls);
    let started = performance.now();
    instance = await WebAssembly.instantiate(module, imports);
    result.instantiate_ms = performance.now() - started;

    phase = "run";
    if (typeof instance.exports._start !== "function") {
      throw new Error("the module exports no _start function: it is not a WASI command");
    }
    started = performance.now();
    try {
      instance.exports._start();
      result.exit_code = 0;
    } catch (err) {
      if (!(err instanceof ProcExit)) throw err;
      result.exit_code = err.code;
    } finally {
      result.run_ms = performance.now() - started;
    }
  } catch (err) {
    result.error = `${phase} failed: ${err}`;
  }
  const decoder = new TextDecoder();
  result.stdout = decoder.decode(concat(streams[1]));
  result.stderr = decoder.decode(concat(streams[2]));
  return result;
}

// --- a component: ES modules sent as text, linked as blob: URLs ------------------------

// The module names toolchains/component_browser.py gives the kit's host and jco's glue.
const HOST_MODULE = "component_host.js";
const GLUE_MODULE = "component.js";
// The relative imports preview2-shim's modules use: `from "./io.js"`, `import("./io.js")`.
const RELATIVE_IMPORT = /(\b(?:from|import)\s*\(?\s*)(["'])\.\/([\w.-]+\.js)\2/g;

/**
 * Import ES modules given as [name, source] pairs, each after the ones it imports (the
 * kernel orders them): each becomes a blob: URL once its relative imports are rewritten
 * to the URLs made before it, so nothing is fetched from anywhere. Returns the namespaces
 * of `wanted`.
 */
export async function loadModules(modules, wanted) {
  const urls = {};
  for (const [name, source] of modules) {
    const linked = source.replace(RELATIVE_IMPORT, (_, head, quote, target) => {
      if (!(target in urls)) throw new Error(`${name} imports ${target}, which was not sent before it`);
      return `${head}${quote}${urls[target]}${quote}`;
    });
    urls[name] = URL.createObjectURL(new Blob([linked], { type: "text/javascript" }));
  }
  try {
    return await Promise.all(wanted.map((name) => import(/* webpackIgnore: true */ urls[name])));
  } finally {
    // Once imported, the graph is linked: the URLs are no longer needed.
    Object.values(urls).forEach((url) => URL.revokeObjectURL(url));
  }
}

// Run the component the model holds: the core modules come out of its own bytes.
async function runComponentModel(model, bytes) {
  let host, glue;
  try {
    [host, glue] = await loadModules(model.get("modules"), [HOST_MODULE, GLUE_MODULE]);
  } catch (err) {
    return { stdout: "", stderr: "", exit_code: null, error: `load failed: ${err}`, unsupported_calls: [] };
  }
  return host.runComponent(glue.instantiate, bytes, model.get("core_modules"), {
    args: model.get("argv"),
    env: model.get("env"),
    stdin: toBytes(model.get("stdin")),
  });
}

// --- the JupyterLab view (anywidget) ---------------------------------------------------

export function browserName() {
  const agent = globalThis.navigator?.userAgent ?? "";
  const match = agent.match(/(Firefox|Edg|Chrome|Chromium|Version)\/(\d+)/);
  if (!match) return agent || "this browser";
  const name = { Edg: "Edge", Version: "Safari" }[match[1]] ?? match[1];
  return `${name} ${match[2]}`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Browsers round performance.now() (to 0.1 ms without cross-origin isolation), so
// finer digits would be noise; below the resolution says so instead of "0.00 ms".
function milliseconds(value) {
  if (value === null || value === undefined) return "–";
  return value < 0.1 ? "< 0.1 ms" : `${value.toFixed(1)} ms`;
}

function outputText(stdout, stderr, exitCode, error) {
  let text = stdout;
  if (stderr) text += `${text && !text.endsWith("\n") ? "\n" : ""}[stderr] ${stderr}`;
  if (error) text += `${text ? "\n" : ""}[error] ${error}`;
  return text || "(no output)";
}

function column(title, run, side, compileLabel = "compile", runLabel = "run _start") {
  const box = element("div", `kit-run kit-run-${side}`);
  box.append(element("div", "kit-run-title", title));
  const pre = element("pre", `kit-stdout kit-stdout-${side}`);
  pre.textContent = outputText(run.stdout, run.stderr, run.exit_code, run.error);
  box.append(pre);
  const table = element("table", "kit-timings");
  const rows = [
    ["exit code", run.exit_code === null || run.exit_code === undefined ? "–" : String(run.exit_code)],
    [compileLabel, milliseconds(run.compile_ms)],
    ["instantiate", milliseconds(run.instantiate_ms)],
    [runLabel, milliseconds(run.run_ms)],
  ];
  for (const [label, value] of rows) {
    const tr = element("tr");
    tr.append(element("th", "", label), element("td", `kit-${label.split(" ")[0]}`, value));
    table.append(tr);
  }
  box.append(table);
  return box;
}

function modelRun(model, prefix) {
  const get = (key) => model.get(`${prefix}${key}`);
  return {
    stdout: get("stdout"), stderr: get("stderr"), exit_code: get("exit_code"),
    error: get("error") ?? "", compile_ms: get("compile_ms"),
    instantiate_ms: get("instantiate_ms"), run_ms: get("run_ms"),
  };
}

function verdict(model) {
  if (model.get("status") !== "done") return { text: "", match: "" };
  if (!model.get("has_server")) return { text: "", match: "" };
  const browser = modelRun(model, "");
  const server = modelRun(model, "server_");
  const digest = model.get("browser_sha256");
  const sameBytes = !digest || digest === model.get("module_sha256");
  const same = sameBytes && browser.stdout === server.stdout && browser.exit_code === server.exit_code;
  return same
    ? { text: "Same bytes, same output: your browser printed exactly what wasmtime printed.", match: "true" }
    : { text: "The outputs differ: compare the two columns.", match: "false" };
}

function draw(model, root) {
  const status = model.get("status");
  root.dataset.status = status;
  root.replaceChildren();
  const name = model.get("name");
  const component = model.get("kind") === "component";
  const what = component ? "the same component" : "the same bytes";
  root.append(element("div", "kit-heading", `${name}: ${what} in wasmtime and in ${model.get("browser") || browserName()}`));
  const columns = element("div", "kit-columns");
  const runLabel = component ? "run wasi:cli/run" : "run _start";
  if (model.get("has_server")) {
    // The server may have loaded a cached, already compiled module: label it honestly.
    const kind = model.get("server_load_kind");
    const label = !kind || kind === "compiled" ? "compile" : `load (${kind})`;
    columns.append(column(`server: ${model.get("server_engine")}`, modelRun(model, "server_"), "server", label, runLabel));
  }
  if (status === "done") {
    const title = `browser: ${model.get("browser")}${component ? ` (${model.get("host")})` : ""}`;
    const label = component ? `compile ${model.get("core_modules_compiled")} core modules` : "compile";
    columns.append(column(title, modelRun(model, ""), "browser", label, runLabel));
  } else {
    columns.append(element("div", "kit-run kit-pending", status === "running" ? "running in your browser…" : status));
  }
  root.append(columns);
  const digest = model.get("browser_sha256");
  if (status === "done" && digest) {
    const agree = digest === model.get("module_sha256") ? "the same bytes on both sides" : "DIFFERENT bytes";
    // A component's core modules are compiled from slices of the very bytes hashed here.
    const inside = component ? "; the browser compiled the core modules inside them" : "";
    root.append(element("div", "kit-note kit-sha256", `sha256 ${digest.slice(0, 16)}…: ${agree}${inside}`));
  }
  const unsupported = model.get("unsupported_calls");
  if (unsupported.length) {
    root.append(element("div", "kit-note", `WASI calls this browser shim does not provide (answered ENOSYS): ${unsupported.join(", ")}`));
  }
  const { text, match } = verdict(model);
  root.dataset.match = match;
  if (text) root.append(element("div", `kit-verdict kit-verdict-${match}`, text));
  if (status === "done") {
    root.append(element("div", "kit-note",
      "Times are from one run on each side: a first look, not a benchmark (notebook 06 measures properly). " +
      "Either side's first run can be slow: a fresh kernel on the server, the engine's first compile in this " +
      "page in the browser; run the cell again. " +
      "\"compile\" is not the same work: wasmtime compiles every function with its optimizing compiler " +
      "up front, while browsers start with a quick baseline compile and optimize hot code later."));
  }
  if (status === "done" && component) {
    root.append(element("div", "kit-note",
      "In the browser, instantiate and run also go through jco's JavaScript glue between the core " +
      "modules and preview2-shim: work wasmtime does in native code."));
  }
}

// The digest of the bytes this browser received, to show they are the server's bytes.
// crypto.subtle exists only in secure contexts (https, 127.0.0.1): elsewhere, "".
async function sha256Hex(bytes) {
  if (!globalThis.crypto?.subtle) return "";
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function runOnce(model) {
  // The first view to render runs the module; other views of the same model only draw.
  if (model.get("status") !== "waiting") return;
  model.set("status", "running");
  model.set("browser_attached", true);
  model.set("browser", browserName());
  model.save_changes();
  const bytes = toBytes(model.get("module"));
  model.set("browser_sha256", await sha256Hex(bytes));
  const { core_modules: compiled = 0, ...result } = model.get("kind") === "component"
    ? await runComponentModel(model, bytes)
    : await runWasi(bytes, { args: model.get("argv"), env: model.get("env") });
  model.set("core_modules_compiled", compiled);
  for (const [key, value] of Object.entries(result)) model.set(key, value);
  model.set("status", "done");
  model.save_changes();
}

const STYLE = `
.kit-browser-runner { font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px;
  border: 1px solid var(--jp-border-color2, #ddd); border-radius: 4px; padding: 8px; }
.kit-browser-runner .kit-heading { font-weight: 600; margin-bottom: 6px; }
.kit-browser-runner .kit-columns { display: flex; flex-wrap: wrap; gap: 12px; }
.kit-browser-runner .kit-run { flex: 1 1 280px; min-width: 0; }
.kit-browser-runner .kit-run-title { font-weight: 600; }
.kit-browser-runner pre { background: var(--jp-layout-color2, #f5f5f5); padding: 6px;
  margin: 4px 0; white-space: pre-wrap; word-break: break-word; max-height: 16em; overflow: auto; }
.kit-browser-runner table { border-collapse: collapse; }
.kit-browser-runner th { text-align: left; font-weight: normal; padding-right: 12px; }
.kit-browser-runner td { text-align: right; font-variant-numeric: tabular-nums; }
.kit-browser-runner .kit-verdict, .kit-browser-runner .kit-note { margin-top: 6px; }
.kit-browser-runner .kit-verdict { padding: 2px 6px; border-radius: 3px; font-weight: 600; }
.kit-browser-runner .kit-verdict-true { background: #d7f5dd; color: #0b5a1e; }
.kit-browser-runner .kit-verdict-false { background: #fbdcdc; color: #8a1010; }
.kit-browser-runner .kit-note { color: var(--jp-ui-font-color2, #666); }
`;

function render({ model, el }) {
  const root = element("div", "kit-browser-runner");
  root.append(element("style", "", STYLE));
  const body = element("div", "kit-body");
  root.append(body);
  el.append(root);
  const redraw = () => {
    draw(model, body);
    root.dataset.status = body.dataset.status;
    root.dataset.match = body.dataset.match;
  };
  model.on("change", redraw);
  redraw();
  runOnce(model);
  return () => model.off("change", redraw);
}

export default { render };
