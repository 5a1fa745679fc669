// hello: the smallest useful program, our start-up workload.
//
// Build by hand:
//   wasm:   clang++ --target=wasm32-wasi --sysroot=/usr -O2 -fno-exceptions -o hello.wasm hello.cpp
//           (or: python -m ziglang c++ -target wasm32-wasi -O2 -fno-exceptions -o hello.wasm hello.cpp)
//   native: c++ -O2 -static -o hello hello.cpp
// Run:      wasmtime hello.wasm
#include <iostream>

int main() {
    std::cout << "Hello from WebAssembly and containers!\n";
    return 0;
}
