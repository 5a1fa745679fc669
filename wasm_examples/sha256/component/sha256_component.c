/* sha256_component.c: the sha256 example as a component with a typed export (notebook 12).
 *
 * The world (sha256.wit) declares   export sha256: func(data: list<u8>) -> string;
 * A host cannot hand a core module a list or take a string back: core wasm knows only
 * i32, i64, f32 and f64. The component model's "canonical ABI" says how such values are
 * laid out in the module's linear memory. wit-bindgen would generate this glue; here it is
 * written by hand, so you can see all of it. It is four exports:
 *
 *   memory               the linear memory the host copies the bytes into and reads from
 *   cabi_realloc         how the host asks us for memory to put the argument in
 *   sha256               the function itself, with its types "lowered" to i32s
 *   cabi_post_sha256     called by the host once it has copied the result out: we free it
 *
 * A "reactor" (a library: no main, and no _start to run it) gets one more export from
 * wasi-libc, _initialize, its set-up; the component runs it once, before any other export.
 *
 * Build by hand (-Wl,--strip-debug leaves out wasi-libc's debug info, most of the bytes):
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor -Wl,--strip-debug \
 *         -o sha256-typed.wasm sha256_component.c
 *   wasm-tools component embed sha256.wit sha256-typed.wasm -o sha256-typed.embedded.wasm
 *   wasm-tools component new sha256-typed.embedded.wasm -o sha256-typed.component.wasm
 *   wasm-tools component wit sha256-typed.component.wasm
 * No preview-1 adapter is needed: the module imports nothing (wasm-tools print shows it).
 */
#include <stdint.h>
#include <stdlib.h>

/* The hashing is sha256.c's own, so the command (bytes through stdin and stdout) and this
 * component compute with the same code and differ only at the boundary. Its main, the
 * stdin-and-stdout boundary this file replaces, is renamed out of the way: nothing calls
 * it, so the linker drops it, and with it every WASI import that reading and printing need. */
#define main sha256_command_line_main
#include "../sha256.c"
#undef main

/* --- cabi_realloc: memory for what the host passes in -------------------------------
 * To pass a list<u8>, the host calls cabi_realloc(0, 0, 1, length) (no old block, old
 * size 0, alignment 1 for bytes), copies the bytes to the address we return, and passes
 * (address, length) to sha256. The same function can grow a block, hence realloc's shape. */
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
    (void)old_size; /* realloc knows the old block's size itself */
    if (new_size == 0)
        return (void *)align; /* an empty list needs no memory: any aligned address will do */
    void *ptr = realloc(old_ptr, new_size); /* malloc aligns to 16, more than the ABI asks */
    if (ptr == NULL)
        abort(); /* there is no way to report an error from here: trap */
    return ptr;
}

/* --- sha256: list<u8> in, string out -------------------------------------------------
 * Parameters: a list flattens to two i32s, its address and its length. The bytes are ours
 * now (the host allocated them with our cabi_realloc), so we free them when done.
 * Result: a string also flattens to two i32s (address and length of its UTF-8 bytes), but
 * an export may return at most one core value (the ABI's MAX_FLAT_RESULTS is 1). So the
 * pair goes into a "return area" in our memory and sha256 returns the area's address. */
static uint32_t return_area[2]; /* [0]: address of the text, [1]: its length in bytes */

__attribute__((export_name("sha256")))
uint32_t *export_sha256(uint8_t *data, size_t length) {
    static const char HEX[] = "0123456789abcdef";
    uint32_t h[8];
    sha256(data, length, h);
    if (length > 0)
        free(data); /* a zero-length list came from cabi_realloc's "no memory" address */
    char *text = malloc(64); /* 8 words of 8 hex digits; a WIT string has no trailing NUL */
    if (text == NULL)
        abort();
    for (int word = 0; word < 8; word++)
        for (int digit = 0; digit < 8; digit++)
            text[8 * word + digit] = HEX[(h[word] >> (28 - 4 * digit)) & 0xf];
    return_area[0] = (uint32_t)(uintptr_t)text;
    return_area[1] = 64;
    return return_area;
}

/* --- cabi_post_sha256: the host has copied the string out --------------------------------
 * It passes back what sha256 returned (the return area's address), so we can free the
 * text. Until this call the text must stay where it is: the host is still reading it. */
__attribute__((export_name("cabi_post_sha256")))
void post_sha256(uint32_t *result) {
    free((void *)(uintptr_t)result[0]);
}
