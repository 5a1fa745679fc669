/* hello: the smallest useful program, our start-up workload.
 *
 * Build by hand:
 *   wasm:   clang --target=wasm32-wasi --sysroot=/usr -O2 -o hello.wasm hello.c
 *           (or: python -m ziglang cc -target wasm32-wasi -O2 -o hello.wasm hello.c)
 *   native: cc -O2 -static -o hello hello.c
 * Run:      wasmtime hello.wasm
 */
#include <stdio.h>

int main(void) {
    puts("Hello from WebAssembly and containers!");
    return 0;
}
