/* threads: starts one thread, as any program that works in parallel does.
 * WASI preview 1 has no call that starts a thread: this is the program notebook 04
 * compiles for wasm32-wasi, then runs where it compiles, to show what happens.
 * Natively: cc -pthread -o threads threads.c && ./threads
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *work(void *arg) {
    (void)arg;
    puts("hello from a second thread");
    return NULL;
}

int main(void) {
    pthread_t thread;
    int err = pthread_create(&thread, NULL, work, NULL);
    if (err != 0) {
        printf("pthread_create failed: %s (error %d)\n", strerror(err), err);
        return 1;
    }
    pthread_join(thread, NULL);
    return 0;
}
