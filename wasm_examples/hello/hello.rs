// hello: the smallest useful program, our start-up workload.
//
// Build by hand:
//   wasm:   rustc --edition 2021 -C opt-level=2 --target wasm32-wasip1 -o hello.wasm hello.rs
//           (Rust before 1.78, e.g. Debian 12's 1.63, calls the target wasm32-wasi)
//   native: rustc --edition 2021 -C opt-level=2 -C target-feature=+crt-static -o hello hello.rs
// Run:      wasmtime hello.wasm

fn main() {
    println!("Hello from WebAssembly and containers!");
}
