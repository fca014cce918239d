/*
 * A trivial epoll echo server: the reference for the TCP echo benchmark
 * (benchmarks/bench_echo.py).  Its messages per second show how fast the
 * load generator can go, so that the Python servers' figures are known to
 * measure the servers, not the load generator.
 *
 * How it works
 * ------------
 *   echo_server
 * listens on 127.0.0.1, port 0 (the kernel picks one), prints the port on
 * its own line, and serves until SIGTERM or SIGINT.  One thread, one epoll
 * set, level-triggered, non-blocking sockets.  A readable connection is read
 * once (up to 64 KiB) and what was read is sent straight back; what the
 * kernel does not take is kept and sent when the socket becomes writable
 * (reading stops meanwhile).  Like the Python servers it does no more than
 * one read per readiness event and leaves Nagle's algorithm at the
 * system's default.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_SIZE 65536
#define MAX_EVENTS 256

struct conn {
    int fd;
    char *pending;  /* bytes the kernel has not taken yet */
    size_t length;
    size_t offset;
};

static volatile sig_atomic_t stopping = 0;

static void on_signal(int signum) {
    (void)signum;
    stopping = 1;
}

static void die(const char *what) {
    fprintf(stderr, "echo_server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void drop(int ep, struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
}

/* Send pending bytes; 0 when all sent, 1 when some are left, -1 on error. */
static int flush(struct conn *c) {
    while (c->offset < c->length) {
        ssize_t n = send(c->fd, c->pending + c->offset, c->length - c->offset, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return 1;
            return -1;
        }
        c->offset += (size_t)n;
    }
    c->length = c->offset = 0;
    return 0;
}

static void watch(int ep, struct conn *c, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int main(void) {
    static char buffer[READ_SIZE];
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0) die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 1024) < 0) die("listen");
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr *)&addr, &len);
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0) die("epoll_ctl");
    struct epoll_event events[MAX_EVENTS];
    while (!stopping) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) {
                for (int k = 0; k < 100; k++) {
                    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
                    if (fd < 0) break;
                    c = calloc(1, sizeof *c);
                    if (!c) die("calloc");
                    c->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) < 0) die("epoll_ctl");
                }
                continue;
            }
            if (c->length) {
                int left = flush(c);
                if (left < 0) {
                    drop(ep, c);
                } else if (left == 0) {
                    watch(ep, c, EPOLLIN);
                }
                continue;
            }
            ssize_t got = recv(c->fd, buffer, sizeof buffer, 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                drop(ep, c);
                continue;
            }
            ssize_t sent = send(c->fd, buffer, (size_t)got, MSG_NOSIGNAL);
            if (sent < 0 && errno != EAGAIN && errno != EINTR) {
                drop(ep, c);
                continue;
            }
            if (sent < 0) sent = 0;
            if (sent < got) {
                c->length = (size_t)(got - sent);
                c->offset = 0;
                c->pending = realloc(c->pending, c->length);
                if (!c->pending) die("realloc");
                memcpy(c->pending, buffer + sent, c->length);
                watch(ep, c, EPOLLOUT);
            }
        }
    }
    return 0;
}
