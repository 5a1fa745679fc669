//! containerd-shim-wasmtime-v1: the kit's containerd shim for WASI modules.
//!
//! The runwasi library does the containerd side (task API, youki container,
//! rootfs, stdio fifos, cgroups); this file only says how to run one module:
//! wasmtime, WASI preview 1, `_start` (or the `#func` named in args[0]).

use std::io::Write as _;

use anyhow::{Result, anyhow};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::RuntimeContext;
use containerd_shim_wasm::shim::{Cli, Shim, Version, version};
use wasmtime::{Config, Engine, Linker, Module, Store, Trap};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

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
        // with the container's stdio on fds 0-2, on the library's tokio runtime:
        // so wasmtime's async API, as WASI's stdio is tokio's (a blocking call
        // would start a second runtime inside this one and panic).
        reopen_stdin_read_only()?;
        run_module(ctx).await
    }
}

/// The library opens the container's stdin fifo read-write (so that opening it never
/// blocks), and the guest inherits that descriptor: the guest is then a writer of its own
/// stdin, so when ctr closes its end the fifo still has a writer and a guest reading to
/// EOF (wordcount) waits for ever. runc's shim copies stdin through a pipe and closes it
/// at EOF instead. Here fd 0 is swapped for a read-only descriptor of the same fifo:
/// opened while the read-write one still holds it open, so nothing buffered is lost and
/// the open does not block; after the swap ctr is its only writer, and its close is EOF.
fn reopen_stdin_read_only() -> Result<()> {
    // SAFETY: plain system calls on fd 0 and on a descriptor this function owns; no Rust
    // object wraps fd 0 at this point (wasmtime's stdin is made after this returns).
    unsafe {
        let flags = libc::fcntl(0, libc::F_GETFL);
        let mut stat: libc::stat = std::mem::zeroed();
        let is_fifo = libc::fstat(0, &mut stat) == 0 && stat.st_mode & libc::S_IFMT == libc::S_IFIFO;
        if flags < 0 || !is_fifo || flags & libc::O_ACCMODE != libc::O_RDWR {
            return Ok(()); // no stdin, a file, or already read-only: nothing to fix
        }
        let path = c"/proc/self/fd/0";
        let reader = libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if reader < 0 {
            return Err(anyhow!("reopening stdin read-only: {}", std::io::Error::last_os_error()));
        }
        let swapped = libc::dup2(reader, 0);
        libc::close(reader);
        if swapped < 0 {
            return Err(anyhow!("replacing stdin: {}", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// Compiles and runs the entry point; the guest's exit code is the task's.
async fn run_module(ctx: &impl RuntimeContext) -> Result<i32> {
    let entrypoint = ctx.entrypoint();
    let bytes = entrypoint.source.as_bytes()?;
    // wasmtime 48 has its own error type; built without its "anyhow" feature (one
    // less rebuild of wasmtime's core), so errors cross over as text.
    let code = run_start(&bytes, &entrypoint.func, ctx).await;
    // The library ends the process with exit(code) right after this returns.
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    code.map_err(|err| anyhow!("{err:?}"))
}

async fn run_start(
    bytes: &[u8],
    name: &str,
    ctx: &impl RuntimeContext,
) -> wasmtime::Result<i32> {
    let engine = Engine::new(&Config::new())?;
    let module = Module::new(&engine, bytes)?;
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_async(&mut linker, |cx| cx)?;
    let mut store = Store::new(&engine, wasi_context(ctx)?);
    let instance = linker.instantiate_async(&mut store, &module).await?;
    let func = instance.get_typed_func::<(), ()>(&mut store, name)?;
    match func.call_async(&mut store, ()).await {
        Ok(()) => Ok(0),
        Err(err) => Ok(exit_code(&err)),
    }
}

/// proc_exit(n) unwinds as an I32Exit error: that is a normal exit with n. Anything
/// else is a trap: one marked line the kit reads (kernel_helpers.containers.containerd.
/// TRAP_MARKER), then the details, on the container's stderr, and the status wasmtime's
/// CLI gives a trap on Unix (128 + SIGABRT).
fn exit_code(err: &wasmtime::Error) -> i32 {
    if let Some(exit) = err.downcast_ref::<I32Exit>() {
        return exit.0;
    }
    let what = err
        .downcast_ref::<Trap>()
        .map_or_else(|| err.to_string(), Trap::to_string);
    eprintln!("kit-shim: wasm trap: {what}");
    eprintln!("{err:?}");
    134
}

/// WASI preview 1: stdio inherited from the container, args and environment from the
/// OCI process spec, and the container's root (already the shim's own root here)
/// preopened as "/", writable as far as the container's mounts allow (the kit runs
/// it with a read-only root).
fn wasi_context(ctx: &impl RuntimeContext) -> wasmtime::Result<WasiP1Ctx> {
    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().args(ctx.args());
    for pair in ctx.envs() {
        let (key, value) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
        builder.env(key, value);
    }
    builder.preopened_dir("/", "/", FsPerms::ReadWrite)?;
    Ok(builder.build_p1())
}

fn main() {
    WasmtimeShim::run(None);
}
