//! containerd-shim-wasmtime-v1: the kit's containerd shim for WASI modules.
//!
//! The runwasi library does the containerd side (task API, youki container,
//! rootfs, stdio fifos, cgroups); this file only says how to run one module:
//! wasmtime, WASI preview 1, `_start` (or the `#func` named in args[0]).

use anyhow::{Context, Result};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::RuntimeContext;
use containerd_shim_wasm::shim::{Cli, Shim, Version, version};
use wasmtime::{Config, Engine, Linker, Module, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::{DirPerms, FilePerms, I32Exit};

struct WasmtimeShim;

#[derive(Default)]
struct WasmtimeSandbox;

impl Shim for WasmtimeShim {
    // "wasmtime" makes the binary answer to runtime io.containerd.wasmtime.v1.
    fn name() -> &'static str {
        "wasmtime"
    }

    fn version() -> Version {
        version!()
    }

    type Sandbox = WasmtimeSandbox;
}

impl Sandbox for WasmtimeSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        // run_wasi is called inside the container (after youki's pivot_root),
        // with the container's stdio on fds 0-2, so a blocking run is fine.
        run_module(ctx)
    }
}

/// Compiles and runs the entry point; the guest's exit code is the task's.
fn run_module(ctx: &impl RuntimeContext) -> Result<i32> {
    let entrypoint = ctx.entrypoint();
    let bytes = entrypoint.source.as_bytes()?;
    let engine = Engine::new(&Config::new())?;
    let module = Module::new(&engine, &bytes).context("compiling the module")?;

    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |cx| cx)?;
    let mut store = Store::new(&engine, wasi_context(ctx)?);
    let instance = linker.instantiate(&mut store, &module)?;
    let func = instance
        .get_typed_func::<(), ()>(&mut store, &entrypoint.func)
        .with_context(|| format!("the module exports no {}", entrypoint.func))?;

    match func.call(&mut store, ()) {
        Ok(()) => Ok(0),
        // proc_exit(n) unwinds as an I32Exit error: that is a normal exit.
        Err(err) => match err.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            // A trap: one marked line the kit reads (kernel_helpers.containers.
            // containerd.TRAP_MARKER), then the details, on the container's
            // stderr; exit like wasmtime's CLI does on Unix (128 + SIGABRT).
            None => {
                let what = err
                    .downcast_ref::<wasmtime::Trap>()
                    .map_or_else(|| format!("{err}"), |trap| trap.to_string());
                eprintln!("kit-shim: wasm trap: {what}");
                eprintln!("{err:?}");
                Ok(134)
            }
        },
    }
}

/// WASI preview 1: stdio inherited from the container, args and environment
/// from the OCI process spec, and the container's root (already the shim's
/// own root here) preopened as "/".
fn wasi_context(ctx: &impl RuntimeContext) -> Result<WasiP1Ctx> {
    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().args(ctx.args());
    for pair in ctx.envs() {
        let (key, value) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
        builder.env(key, value);
    }
    builder.preopened_dir("/", "/", DirPerms::all(), FilePerms::all())?;
    Ok(builder.build_p1())
}

fn main() {
    WasmtimeShim::run(None);
}
