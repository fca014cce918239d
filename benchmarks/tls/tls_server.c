/*
 * A TLS echo server in C, for bench_tls.py: what OpenSSL alone costs, with
 * no framework around it, and how far the load generator can go.
 *
 *   tls_server CERTIFICATE KEY
 *
 * Listens on 127.0.0.1 (a port the kernel picks; backlog 128), prints the
 * port, and serves until SIGTERM.  One thread, level-triggered epoll,
 * OpenSSL in non-blocking mode with the library's defaults (TLS 1.3 at
 * least, as the Python servers; two session tickets per connection).  Per
 * readable event: finish the handshake, or SSL_read one record and
 * SSL_write it back; a write that cannot complete stops reading on that
 * connection until it has.  The peer's close_notify is answered with ours.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECORD 16384

typedef struct {
    int fd;
    SSL *ssl;
    int handshaken;
    int pending; /* bytes of `buffer` still to write, or 0 */
    uint32_t interest;
    unsigned char buffer[RECORD];
} Connection;

static void die(const char *what) {
    fprintf(stderr, "tls_server: %s: %s\n", what, strerror(errno));
    ERR_print_errors_fp(stderr);
    exit(1);
}

static void finish(Connection *c) {
    SSL_free(c->ssl);
    close(c->fd);
    free(c);
}

static void setInterest(int epoll, Connection *c, uint32_t wanted) {
    if (c->interest == wanted) return;
    struct epoll_event event = {.events = wanted, .data.ptr = c};
    if (epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event) < 0) die("epoll_ctl");
    c->interest = wanted;
}

/* Returns 0 if the connection was closed. */
static int wantMore(int epoll, Connection *c, int r) {
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        setInterest(epoll, c, EPOLLIN);
        return 1;
    case SSL_ERROR_WANT_WRITE:
        setInterest(epoll, c, EPOLLOUT);
        return 1;
    case SSL_ERROR_ZERO_RETURN:
        SSL_shutdown(c->ssl);
        break;
    default:
        ERR_clear_error();
        break;
    }
    finish(c);
    return 0;
}

static void service(int epoll, Connection *c) {
    if (!c->handshaken) {
        int r = SSL_accept(c->ssl);
        if (r != 1) {
            wantMore(epoll, c, r);
            return;
        }
        c->handshaken = 1;
    }
    for (;;) {
        if (c->pending) {
            int r = SSL_write(c->ssl, c->buffer, c->pending);
            if (r <= 0) {
                wantMore(epoll, c, r);
                return;
            }
            c->pending = 0;
        }
        int n = SSL_read(c->ssl, c->buffer, RECORD);
        if (n <= 0) {
            wantMore(epoll, c, n);
            return;
        }
        c->pending = n;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fputs("usage: tls_server CERTIFICATE KEY\n", stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (context == NULL || !SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) ||
        SSL_CTX_use_certificate_chain_file(context, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, argv[2], SSL_FILETYPE_PEM) != 1)
        die("setting up the TLS context");
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_read_ahead(context, 1);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) < 0 ||
        listen(listener, 128) < 0 || getsockname(listener, (struct sockaddr *)&address, &length) < 0)
        die("listening");
    printf("%d\n", ntohs(address.sin_port));
    fflush(stdout);
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) < 0) die("epoll");
    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(epoll, events, 256, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < ready; i++) {
            Connection *c = events[i].data.ptr;
            if (c != NULL) {
                service(epoll, c);
                continue;
            }
            int fd;
            while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                c = calloc(1, sizeof *c);
                c->fd = fd;
                c->ssl = SSL_new(context);
                SSL_set_fd(c->ssl, fd);
                c->interest = EPOLLIN;
                struct epoll_event added = {.events = EPOLLIN, .data.ptr = c};
                if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &added) < 0) die("epoll_ctl");
            }
        }
    }
}
