// sha256: a real algorithm (FIPS 180-4), written out by hand so every language
// does the same work. Hashes a built-in message, or standard input with "-".
// Usage: sha256 [-]   prints the digest in hex
//
// Build by hand:
//   wasm:   clang++ --target=wasm32-wasi --sysroot=/usr -O2 -fno-exceptions -o sha256.wasm sha256.cpp
//           (or: python -m ziglang c++ -target wasm32-wasi -O2 -fno-exceptions -o sha256.wasm sha256.cpp)
//   native: c++ -O2 -static -o sha256 sha256.cpp
// Run:      echo -n abc | wasmtime sha256.wasm -
#include <array>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

using u32 = std::uint32_t;

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static u32 rotr(u32 x, int n) { return (x >> n) | (x << (32 - n)); }

static void compress(std::array<u32, 8> &h, const std::uint8_t *block) {
    u32 w[64];
    for (int i = 0; i < 16; i++)
        w[i] = u32(block[4 * i]) << 24 | u32(block[4 * i + 1]) << 16 | u32(block[4 * i + 2]) << 8 | block[4 * i + 3];
    for (int i = 16; i < 64; i++)
        w[i] = w[i - 16] + (rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 7] +
               (rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10));
    auto [a, b, c, d, e, f, g, hh] = h;
    for (int i = 0; i < 64; i++) {
        u32 t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        u32 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    std::array<u32, 8> v{a, b, c, d, e, f, g, hh};
    for (int i = 0; i < 8; i++) h[i] += v[i];
}

static std::array<u32, 8> sha256(std::vector<std::uint8_t> data) {
    std::array<u32, 8> h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::uint64_t bits = std::uint64_t(data.size()) * 8;
    data.push_back(0x80);  // padding: the marker, zeros, then the length in bits
    while (data.size() % 64 != 56) data.push_back(0);
    for (int i = 7; i >= 0; i--) data.push_back(std::uint8_t(bits >> (8 * i)));
    for (std::size_t i = 0; i < data.size(); i += 64) compress(h, data.data() + i);
    return h;
}

int main(int argc, char **argv) {
    std::string message = "The quick brown fox jumps over the lazy dog";
    std::vector<std::uint8_t> data(message.begin(), message.end());
    if (argc > 1 && std::string(argv[1]) == "-")
        data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    char hex[9];
    for (u32 word : sha256(data)) {
        std::snprintf(hex, sizeof hex, "%08x", word);
        std::cout << hex;
    }
    std::cout << '\n';
    return 0;
}
