/* fib: pure compute. Prints the N-th Fibonacci number, computed the slow
 * (doubly recursive) way on purpose, so the work grows quickly with N.
 * Usage: fib [N]   (default N = 27)
 *
 * Build by hand:
 *   wasm:   clang --target=wasm32-wasi --sysroot=/usr -O2 -o fib.wasm fib.c
 *           (or: python -m ziglang cc -target wasm32-wasi -O2 -o fib.wasm fib.c)
 *   native: cc -O2 -static -o fib fib.c
 * Run:      wasmtime fib.wasm 30
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 27;
    printf("fib(%u) = %" PRIu64 "\n", n, fib(n));
    return 0;
}
