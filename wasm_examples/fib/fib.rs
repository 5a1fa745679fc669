// fib: pure compute. Prints the N-th Fibonacci number, computed the slow
// (doubly recursive) way on purpose, so the work grows quickly with N.
// Usage: fib [N]   (default N = 27)
//
// Build by hand:
//   wasm:   rustc --edition 2021 -C opt-level=2 --target wasm32-wasip1 -o fib.wasm fib.rs
//           (Rust before 1.78, e.g. Debian 12's 1.63, calls the target wasm32-wasi)
//   native: rustc --edition 2021 -C opt-level=2 -C target-feature=+crt-static -o fib fib.rs
// Run:      wasmtime fib.wasm 30

fn fib(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(27);
    println!("fib({}) = {}", n, fib(n));
}
