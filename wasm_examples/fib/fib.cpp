// fib: pure compute. Prints the N-th Fibonacci number, computed the slow
// (doubly recursive) way on purpose, so the work grows quickly with N.
// Usage: fib [N]   (default N = 27)
//
// Build by hand:
//   wasm:   clang++ --target=wasm32-wasi --sysroot=/usr -O2 -fno-exceptions -o fib.wasm fib.cpp
//           (or: python -m ziglang c++ -target wasm32-wasi -O2 -fno-exceptions -o fib.wasm fib.cpp)
//   native: c++ -O2 -static -o fib fib.cpp
// Run:      wasmtime fib.wasm 30
#include <cstdint>
#include <cstdlib>
#include <iostream>

static std::uint64_t fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10)) : 27;
    std::cout << "fib(" << n << ") = " << fib(n) << "\n";
    return 0;
}
