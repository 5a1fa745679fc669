/* hello_http: the container side of notebook 12's wasi:http comparison. A static HTTP/1.1
 * server that answers GET / with the same line the wasi:http component sends, and 404
 * otherwise. One connection at a time, Connection: close: just enough for one request.
 *
 * Usage: hello_http ADDRESS PORT      (the kit passes 127.0.0.1 and a free port)
 * It exits on SIGTERM or SIGINT: as PID 1 in a container it would otherwise ignore them.
 *
 * Build by hand: cc -O2 -static -o hello_http hello_http.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char GREETING[] = "Hello from WebAssembly and containers!\n";
static const char NOT_FOUND[] = "not found\n";

static void stop(int signal_number) {
    (void)signal_number;
    _exit(0);
}

static int listen_on(const char *address, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    struct sockaddr_in where;
    memset(&where, 0, sizeof where);
    where.sin_family = AF_INET;
    where.sin_port = htons((unsigned short)port);
    if (fd < 0 || inet_pton(AF_INET, address, &where.sin_addr) != 1) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&where, sizeof where) != 0 || listen(fd, 16) != 0) return -1;
    return fd;
}

static void answer(int client) {
    char request[2048];
    char head[256];
    ssize_t got = read(client, request, sizeof request - 1);
    if (got <= 0) return;
    request[got] = '\0';
    int found = strncmp(request, "GET / ", 6) == 0;
    const char *body = found ? GREETING : NOT_FOUND;
    int length = snprintf(head, sizeof head,
                          "HTTP/1.1 %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                          "content-length: %zu\r\nconnection: close\r\n\r\n",
                          found ? "200 OK" : "404 Not Found", strlen(body));
    if (write(client, head, (size_t)length) < 0 || write(client, body, strlen(body)) < 0) return;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ADDRESS PORT\n", argv[0]);
        return 2;
    }
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    int server = listen_on(argv[1], atoi(argv[2]));
    if (server < 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        answer(client);
        close(client);
    }
}
