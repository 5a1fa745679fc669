/* socket: asks for a network socket, as any TCP client or server does first.
 * WASI preview 1 has no call that makes one: this is the program notebook 04 compiles
 * for wasm32-wasi to show what the compiler says about it.
 * Natively: cc -o socket socket.c && ./socket
 */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    printf("got socket %d\n", fd);
    return 0;
}
