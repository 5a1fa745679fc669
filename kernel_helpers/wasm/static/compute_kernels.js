// Notebook 08's two compute kernels in plain JavaScript: the same algorithms as
// wasm_examples/fib/fib.c and wasm_examples/sha256/sha256.c, printing the same bytes, so a
// page can time them beside the compiled module and check that both agree.
//
// No imports and no browser API: the same file runs in the learner's page (the compute
// widget loads it from the kit, never from the network) and under Node in the unit tests.

// fib.c's doubly recursive Fibonacci. A JavaScript number holds integers exactly up to
// 2^53, past fib(78): every N the course times prints what C's uint64_t prints.
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const rotr = (x, n) => (x >>> n) | (x << (32 - n));

// One 64-byte block at `at` of `data` into the state `h`, as sha256.c's compress does.
// Bit operations work on 32-bit integers; `| 0` keeps sums there, and the Uint32Arrays
// store them modulo 2^32, as C's uint32_t does.
function compress(h, w, data, at) {
  for (let i = 0; i < 16; i++) {
    const j = at + 4 * i;
    w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15], b = w[i - 2];
    const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
    const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let [a, b, c, d, e, f, g, hh] = h;
  for (let i = 0; i < 64; i++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] = (h[i] + v) | 0; });
}

// The SHA-256 digest of `data` (a Uint8Array) in hex, as sha256.c prints it.
export function sha256Hex(data) {
  const h = new Uint32Array(INITIAL);
  const w = new Uint32Array(64);
  const full = data.length - (data.length % 64);
  for (let at = 0; at < full; at += 64) compress(h, w, data, at);
  // The last bytes, the 0x80 marker and the length in bits (big-endian, 64 bits).
  const rest = data.length - full;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(data.subarray(full));
  tail[rest] = 0x80;
  const bits = data.length * 8;
  for (let i = 0; i < 8; i++) tail[tail.length - 1 - i] = Math.floor(bits / 2 ** (8 * i)) % 256;
  for (let at = 0; at < tail.length; at += 64) compress(h, w, tail, at);
  return [...h].map((v) => v.toString(16).padStart(8, "0")).join("");
}

const DEFAULT_MESSAGE = "The quick brown fox jumps over the lazy dog";

/**
 * What the C program `example` prints for `args` (after argv[0]) and `stdin` (a
 * Uint8Array): the kernel and its output formatting, nothing of a process.
 */
export function runKernel(example, args = [], stdin = new Uint8Array(0)) {
  if (example === "fib") {
    const n = args.length ? Number.parseInt(args[0], 10) : 27;
    return `fib(${n}) = ${fib(n)}\n`;
  }
  if (example === "sha256") {
    const data = args[0] === "-" ? stdin : new TextEncoder().encode(DEFAULT_MESSAGE);
    return `${sha256Hex(data)}\n`;
  }
  throw new Error(`no JavaScript kernel for ${example}`);
}
