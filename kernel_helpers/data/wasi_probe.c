/* wasi_probe: one small program that asks for one thing at a time, so notebook 04 can
 * show what a WASI module is given and what it is refused. The same source builds as a
 * native static binary for the container comparison.
 *
 * Usage: wasi_probe COMMAND [ARGS...]
 *   args             print every argument
 *   env              print every environment variable
 *   clock            print the wall clock and the monotonic clock
 *   random           print 16 random bytes in hex
 *   stdin            read standard input and say how many bytes and lines came
 *   ls DIR           list a directory
 *   cat FILE         print a file
 *   write FILE TEXT  write TEXT to FILE
 *   exit N           exit with status N
 * Errors go to stderr as "COMMAND PATH: reason" and the exit status is 1.
 *
 * Build by hand: clang --target=wasm32-wasi --sysroot=/usr -O2 -o wasi_probe.wasm wasi_probe.c
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *command, const char *path) {
    fprintf(stderr, "%s %s: %s\n", command, path, strerror(errno));
    return 1;
}

static int list(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return fail("ls", path);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) puts(entry->d_name);
    }
    closedir(dir);
    return 0;
}

static int show(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) return fail("cat", path);
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) fwrite(buffer, 1, got, stdout);
    fclose(file);
    return 0;
}

static int save(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    if (!file) return fail("write", path);
    fprintf(file, "%s\n", text);
    fclose(file);
    printf("wrote %zu bytes to %s\n", strlen(text) + 1, path);
    return 0;
}

static int clocks(void) {
    struct timespec wall, mono;
    clock_gettime(CLOCK_REALTIME, &wall);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&wall.tv_sec));
    printf("wall clock: %s\nmonotonic:  %lld.%09ld s\n", when, (long long)mono.tv_sec, mono.tv_nsec);
    return 0;
}

static int random_bytes(void) {
    unsigned char bytes[16];
    if (getentropy(bytes, sizeof bytes) != 0) return fail("random", "getentropy");
    for (size_t i = 0; i < sizeof bytes; i++) printf("%02x", bytes[i]);
    putchar('\n');
    return 0;
}

static int count_stdin(void) {
    unsigned long bytes = 0, lines = 0;
    int c;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n') lines++;
    }
    printf("read %lu bytes, %lu lines from stdin\n", bytes, lines);
    return 0;
}

int main(int argc, char **argv) {
    const char *command = argc > 1 ? argv[1] : "args";
    if (!strcmp(command, "args")) {
        for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
        return 0;
    }
    if (!strcmp(command, "env")) {
        int count = 0;
        for (char **v = environ; v && *v; v++, count++) puts(*v);
        if (!count) puts("(no environment variables)");
        return 0;
    }
    if (!strcmp(command, "clock")) return clocks();
    if (!strcmp(command, "random")) return random_bytes();
    if (!strcmp(command, "stdin")) return count_stdin();
    if (!strcmp(command, "ls") && argc > 2) return list(argv[2]);
    if (!strcmp(command, "cat") && argc > 2) return show(argv[2]);
    if (!strcmp(command, "write") && argc > 3) return save(argv[2], argv[3]);
    if (!strcmp(command, "exit") && argc > 2) return atoi(argv[2]);
    fprintf(stderr, "usage: wasi_probe args|env|clock|random|stdin|ls DIR|cat FILE|write FILE TEXT|exit N\n");
    return 2;
}
