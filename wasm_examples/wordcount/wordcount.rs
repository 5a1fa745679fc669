// wordcount: a tiny `wc`. Counts lines, words and bytes of each FILE, or of
// standard input when no FILE is given. Under WASI a file can only be read if
// its directory was preopened (e.g. `wasmtime --dir=. wordcount.wasm notes.txt`).
// Usage: wordcount [FILE...]   prints "LINES WORDS BYTES [FILE]" per input
//
// Build by hand:
//   wasm:   rustc --edition 2021 -C opt-level=2 --target wasm32-wasip1 -o wordcount.wasm wordcount.rs
//           (Rust before 1.78, e.g. Debian 12's 1.63, calls the target wasm32-wasi)
//   native: rustc --edition 2021 -C opt-level=2 -C target-feature=+crt-static -o wordcount wordcount.rs
use std::io::Read;

fn count(data: &[u8]) -> (usize, usize, usize) {
    let lines = data.iter().filter(|&&b| b == b'\n').count();
    let is_space = |b: &u8| matches!(b, b' ' | b'\n' | b'\t' | b'\r' | 0x0b | 0x0c);
    let words = data.split(is_space).filter(|w| !w.is_empty()).count();
    (lines, words, data.len())
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data).expect("cannot read stdin");
        let (lines, words, bytes) = count(&data);
        println!("{} {} {}", lines, words, bytes);
        return;
    }
    let mut status = 0;
    for name in &files {
        match std::fs::read(name) {
            Ok(data) => {
                let (lines, words, bytes) = count(&data);
                println!("{} {} {} {}", lines, words, bytes, name);
            }
            Err(_) => {
                eprintln!("wordcount: cannot open {}", name);
                status = 1;
            }
        }
    }
    std::process::exit(status);
}
