// Notebook 08's browser comparison: the compiled module and the same kernel in plain
// JavaScript, timed in this page with the same warm-ups and repetitions as the server.
//
// The kernel sends the module bytes, the cases (argv, stdin size) and two ES modules as
// text: the kit's WASI shim (wasi_shim.js) and the JavaScript kernels
// (compute_kernels.js). They are imported from blob: URLs, so nothing is fetched from
// the network. Per case the module is compiled once, then each sample instantiates it and
// runs `_start` (as the server's pre-instantiated wasmtime module does), and each
// JavaScript sample calls the kernel; the first run of each checks that both print the
// same text. Samples go back to the kernel in seconds; Python summarises and draws them.

async function importText(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(/* webpackIgnore: true */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// Random input like the server's os.urandom; getRandomValues fills 65,536 bytes a call.
function randomBytes(size) {
  const data = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(data.subarray(at, Math.min(size, at + 65536)));
  }
  return data;
}

// Let the page draw between samples, so a long run never freezes the notebook.
const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

async function timeSamples(count, once) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await once();
    samples.push((performance.now() - started) / 1000);
    await breathe();
  }
  return samples;
}

async function runCase(shim, kernels, module, spec, warmup, repeat) {
  const stdin = spec.stdin_bytes ? randomBytes(spec.stdin_bytes) : new Uint8Array(0);
  const argv = [`${spec.example}.wasm`, ...spec.args];
  const wasmOnce = () => shim.runCompiled(module, { args: argv, stdin });
  const jsOnce = () => kernels.runKernel(spec.example, spec.args, stdin);
  const first = await wasmOnce();  // the output check, not timed
  const jsStdout = jsOnce();
  await timeSamples(warmup, wasmOnce);
  await timeSamples(warmup, jsOnce);
  return {
    label: spec.label,
    example: spec.example,
    wasm_stdout: first.stdout,
    wasm_error: first.error || (first.exit_code ? `exit code ${first.exit_code}` : ""),
    js_stdout: jsStdout,
    wasm_samples_s: await timeSamples(repeat, wasmOnce),
    js_samples_s: await timeSamples(repeat, jsOnce),
  };
}

async function runAll(model, show) {
  if (model.get("status") !== "waiting") return;  // another view of this model runs it
  model.set("status", "running");
  model.set("browser_attached", true);
  model.save_changes();
  try {
    const shim = await importText(model.get("shim_source"));
    const kernels = await importText(model.get("kernels_source"));
    model.set("browser", shim.browserName());
    model.save_changes();
    const modules = {};
    const results = [];
    for (const spec of model.get("cases")) {
      show(`running ${spec.label} (${results.length + 1} of ${model.get("cases").length}) in ${model.get("browser")}…`);
      await breathe();
      modules[spec.example] ??= await WebAssembly.compile(shim.toBytes(model.get(`${spec.example}_module`)));
      results.push(await runCase(shim, kernels, modules[spec.example], spec, model.get("warmup"), model.get("repeat")));
    }
    model.set("results", results);
    model.set("status", "done");
  } catch (err) {
    model.set("error", String(err));
    model.set("status", "failed");
  }
  model.save_changes();
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// What the page itself shows: where the run stands, then one line per case. The table
// with wasmtime and native beside these rows is drawn in Python (kh.beside_javascript).
function draw(model, root, progress) {
  const status = model.get("status");
  root.dataset.status = status;
  const lines = [];
  if (status === "done") {
    lines.push(`Ran in ${model.get("browser")}: ${model.get("warmup")} warm-up(s) and ${model.get("repeat")} timed runs of each.`);
    for (const r of model.get("results")) {
      const agree = r.js_stdout === r.wasm_stdout && !r.wasm_error ? "same output" : "OUTPUTS DIFFER";
      const ms = (s) => `${(median(s) * 1000).toFixed(1)} ms`;
      lines.push(`${r.label}: wasm ${ms(r.wasm_samples_s)}, JavaScript ${ms(r.js_samples_s)} (medians); ${agree}`);
    }
    lines.push("The next cell's table puts these beside wasmtime and native, with spreads (it fills itself in).");
  } else if (status === "failed") {
    lines.push(`The browser run failed: ${model.get("error")}`);
  } else {
    lines.push(progress || "waiting for the browser…");
  }
  root.textContent = lines.join("\n");
}

function render({ model, el }) {
  const root = document.createElement("pre");
  root.className = "kit-browser-compute";
  el.append(root);
  let progress = "";
  const redraw = () => draw(model, root, progress);
  const show = (text) => { progress = text; redraw(); };
  model.on("change", redraw);
  redraw();
  runAll(model, show);
  return () => model.off("change", redraw);
}

export default { render };
