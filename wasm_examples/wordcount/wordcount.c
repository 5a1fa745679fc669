/* wordcount: a tiny `wc`. Counts lines, words and bytes of each FILE, or of
 * standard input when no FILE is given. Under WASI a file can only be read if
 * its directory was preopened (e.g. `wasmtime --dir=. wordcount.wasm notes.txt`).
 * Usage: wordcount [FILE...]   prints "LINES WORDS BYTES [FILE]" per input
 *
 * Build by hand:
 *   wasm:   clang --target=wasm32-wasi --sysroot=/usr -O2 -o wordcount.wasm wordcount.c
 *           (or: python -m ziglang cc -target wasm32-wasi -O2 -o wordcount.wasm wordcount.c)
 *   native: cc -O2 -static -o wordcount wordcount.c
 */
#include <stdio.h>

static int is_space(int c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void count(FILE *in, const char *name) {
    unsigned long lines = 0, words = 0, bytes = 0;
    int c, in_word = 0;
    while ((c = getc(in)) != EOF) {
        bytes++;
        if (c == '\n') lines++;
        if (is_space(c)) in_word = 0;
        else if (!in_word) { in_word = 1; words++; }
    }
    if (name) printf("%lu %lu %lu %s\n", lines, words, bytes, name);
    else printf("%lu %lu %lu\n", lines, words, bytes);
}

int main(int argc, char **argv) {
    if (argc < 2) { count(stdin, NULL); return 0; }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) { fprintf(stderr, "wordcount: cannot open %s\n", argv[i]); status = 1; continue; }
        count(in, argv[i]);
        fclose(in);
    }
    return status;
}
