// wordcount: a tiny `wc`. Counts lines, words and bytes of each FILE, or of
// standard input when no FILE is given. Under WASI a file can only be read if
// its directory was preopened (e.g. `wasmtime --dir=. wordcount.wasm notes.txt`).
// Usage: wordcount [FILE...]   prints "LINES WORDS BYTES [FILE]" per input
//
// Build by hand:
//   wasm:   clang++ --target=wasm32-wasi --sysroot=/usr -O2 -fno-exceptions -o wordcount.wasm wordcount.cpp
//           (or: python -m ziglang c++ -target wasm32-wasi -O2 -fno-exceptions -o wordcount.wasm wordcount.cpp)
//   native: c++ -O2 -static -o wordcount wordcount.cpp
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

// Reads a whole file with <cstdio>: zig's libc++ for WASI has no <fstream>.
static bool read_file(const char *path, std::string &out) {
    std::FILE *file = std::fopen(path, "rb");
    if (!file) return false;
    char buffer[4096];
    std::size_t got;
    while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, got);
    std::fclose(file);
    return true;
}

static void count(const std::string &data, const std::string &name) {
    unsigned long lines = 0, words = 0;
    bool in_word = false;
    for (char c : data) {
        if (c == '\n') lines++;
        bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
        if (space) in_word = false;
        else if (!in_word) { in_word = true; words++; }
    }
    std::cout << lines << ' ' << words << ' ' << data.size();
    if (!name.empty()) std::cout << ' ' << name;
    std::cout << '\n';
}

int main(int argc, char **argv) {
    if (argc < 2) {
        std::string data(std::istreambuf_iterator<char>(std::cin), {});
        count(data, "");
        return 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        std::string data;
        if (!read_file(argv[i], data)) { std::cerr << "wordcount: cannot open " << argv[i] << '\n'; status = 1; continue; }
        count(data, argv[i]);
    }
    return status;
}
