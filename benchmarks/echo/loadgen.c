/*
 * Load generator for the TCP echo benchmark (benchmarks/bench_echo.py).
 *
 * How it works
 * ------------
 * One thread, one epoll set, level-triggered, non-blocking sockets with
 * TCP_NODELAY.  Two modes:
 *
 *   loadgen echo PORT CONNECTIONS SIZE SECONDS WARMUP
 *     Opens CONNECTIONS connections to 127.0.0.1:PORT.  Each connection
 *     sends a SIZE-byte message, waits until SIZE bytes have come back
 *     (checking that they are the bytes it sent), and sends the next one, so
 *     every connection has exactly one message in flight.  Messages that
 *     finish during the first WARMUP seconds are not counted; counting then
 *     runs for SECONDS seconds.  The latency of each counted message (first
 *     byte sent to last byte of its echo received) goes into a histogram of
 *     0.1 us buckets, from which p50/p99/max are read.  Prints one JSON
 *     object: messages, messages per second, latency percentiles in
 *     microseconds, the CPU time the load generator itself used as a
 *     percentage of wall time (near 100 would mean it is the bottleneck),
 *     and all_messages: every message echoed, warm-up included (to divide
 *     the server's CPU time by).
 *
 *   loadgen idle PORT CONNECTIONS
 *     Opens CONNECTIONS connections, at most 32 at a time in progress; each
 *     sends one byte and waits for its echo, so the server has surely
 *     accepted it and built its protocol.  Then prints {"ready": N} and
 *     keeps the connections open, idle, until its standard input closes.
 *
 * The soft RLIMIT_NOFILE is raised to the hard limit first.  Any error
 * (refused connection, wrong echo, peer closing) is fatal: the program
 * prints a message on stderr and exits with status 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUCKET_NS 100          /* histogram resolution: 0.1 us */
#define BUCKETS 10000000       /* up to 1 s; slower messages go to the last */
#define IDLE_IN_FLIGHT 32

struct conn {
    int fd;
    int connected;
    unsigned events;  /* what epoll watches for now */
    size_t sent;      /* bytes of the current message sent */
    size_t received;  /* bytes of its echo received */
    uint64_t start;   /* when its first byte was sent */
};

static uint32_t *histogram;
static char *message;
static char *scratch;
static size_t size;

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void raise_nofile(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static int open_connection(int ep, int port, struct conn *c) {
    struct sockaddr_in addr;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS)
        die("connect");
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->events = EPOLLOUT;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    return fd;
}

static void check_connected(struct conn *c) {
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error) {
        errno = error;
        die("connect");
    }
    c->connected = 1;
}

/* Send what is left of the current message; 1 once it has all gone. */
static int send_rest(int ep, struct conn *c) {
    while (c->sent < size) {
        ssize_t n = send(c->fd, message + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            die("send");
        }
        c->sent += (size_t)n;
    }
    /* Only tell epoll when the interest changes: one system call less per
       message in the usual case, where the whole message goes at once. */
    unsigned want = c->sent < size ? EPOLLIN | EPOLLOUT : EPOLLIN;
    if (want != c->events) {
        struct epoll_event ev = {.events = want, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
        c->events = want;
    }
    return c->sent == size;
}

/* Receive echoed bytes; 1 once the whole message has come back. */
static int receive(struct conn *c) {
    for (;;) {
        size_t want = size - c->received;
        if (want == 0) return 1;
        ssize_t n = recv(c->fd, scratch, want, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return 0;
            die("recv");
        }
        if (n == 0) {
            errno = 0;
            die("the server closed a connection");
        }
        if (memcmp(scratch, message + c->received, (size_t)n) != 0) {
            errno = 0;
            die("the echo differs from what was sent");
        }
        c->received += (size_t)n;
    }
}

static void start_message(int ep, struct conn *c, uint64_t t) {
    c->sent = 0;
    c->received = 0;
    c->start = t;
    send_rest(ep, c);
}

static uint64_t percentile(uint64_t total, double fraction) {
    uint64_t rank = (uint64_t)(fraction * (double)total + 0.999999);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (uint64_t i = 0; i < BUCKETS; i++) {
        seen += histogram[i];
        if (seen >= rank) return i;
    }
    return BUCKETS - 1;
}

static int run_echo(int port, int count, double seconds, double warmup) {
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct conn *conns = calloc((size_t)count, sizeof *conns);
    struct epoll_event *events = calloc((size_t)count, sizeof *events);
    histogram = calloc(BUCKETS, sizeof *histogram);
    if (!conns || !events || !histogram) die("calloc");
    for (int i = 0; i < count; i++) open_connection(ep, port, &conns[i]);

    uint64_t begin = now_ns();
    uint64_t count_from = begin + (uint64_t)(warmup * 1e9);
    uint64_t end = count_from + (uint64_t)(seconds * 1e9);
    uint64_t messages = 0, all_messages = 0, max_ns = 0;
    double cpu_from = 0;
    int counting = 0;
    for (;;) {
        int n = epoll_wait(ep, events, count, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        uint64_t t = now_ns();
        if (!counting && t >= count_from) {
            counting = 1;
            cpu_from = cpu_seconds();
        }
        if (t >= end) break;
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c->connected) {
                check_connected(c);
                start_message(ep, c, t);
                continue;
            }
            if ((events[i].events & EPOLLOUT) && c->sent < size) send_rest(ep, c);
            if ((events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && receive(c)) {
                all_messages++;
                if (counting) {
                    uint64_t latency = t - c->start;
                    uint64_t bucket = latency / BUCKET_NS;
                    histogram[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
                    if (latency > max_ns) max_ns = latency;
                    messages++;
                }
                start_message(ep, c, t);
            }
        }
    }
    uint64_t stop = now_ns();
    double cpu = cpu_seconds() - cpu_from;
    double elapsed = (double)(stop - count_from) / 1e9;
    for (int i = 0; i < count; i++) close(conns[i].fd);
    if (messages == 0) {
        errno = 0;
        die("no message came back during the measured time");
    }
    printf("{\"mode\": \"echo\", \"connections\": %d, \"size\": %zu, \"seconds\": %.6f, "
           "\"messages\": %llu, \"messages_per_second\": %.1f, \"p50_us\": %.1f, "
           "\"p99_us\": %.1f, \"max_us\": %.1f, \"loadgen_cpu_percent\": %.1f, "
           "\"all_messages\": %llu}\n",
           count, size, elapsed, (unsigned long long)messages, (double)messages / elapsed,
           percentile(messages, 0.50) * BUCKET_NS / 1000.0,
           percentile(messages, 0.99) * BUCKET_NS / 1000.0, max_ns / 1000.0,
           100.0 * cpu / elapsed, (unsigned long long)all_messages);
    return 0;
}

static int run_idle(int port, int count) {
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct conn *conns = calloc((size_t)count, sizeof *conns);
    struct epoll_event events[IDLE_IN_FLIGHT];
    if (!conns) die("calloc");
    int opened = 0, done = 0, in_flight = 0;
    while (done < count) {
        while (in_flight < IDLE_IN_FLIGHT && opened < count) {
            open_connection(ep, port, &conns[opened++]);
            in_flight++;
        }
        int n = epoll_wait(ep, events, IDLE_IN_FLIGHT, 10000);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        if (n == 0) {
            errno = 0;
            die("no progress opening idle connections for 10 s");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c->connected) {
                check_connected(c);
                start_message(ep, c, 0);
                continue;
            }
            if ((events[i].events & EPOLLOUT) && c->sent < size) send_rest(ep, c);
            if ((events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && receive(c)) {
                /* Echoed: the server holds this connection.  Forget it. */
                if (epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL) < 0) die("epoll_ctl");
                in_flight--;
                done++;
            }
        }
    }
    printf("{\"mode\": \"idle\", \"ready\": %d}\n", count);
    fflush(stdout);
    while (read(0, scratch, size) > 0) {
    }
    for (int i = 0; i < count; i++) close(conns[i].fd);
    return 0;
}

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen echo PORT CONNECTIONS SIZE SECONDS WARMUP\n"
            "       loadgen idle PORT CONNECTIONS\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 4) usage();
    int port = atoi(argv[2]);
    int count = atoi(argv[3]);
    if (port <= 0 || port > 65535 || count <= 0) usage();
    raise_nofile();
    if (strcmp(argv[1], "echo") == 0 && argc == 7) {
        size = (size_t)atol(argv[4]);
        double seconds = atof(argv[5]), warmup = atof(argv[6]);
        if (size == 0 || seconds <= 0 || warmup < 0) usage();
        message = malloc(size);
        scratch = malloc(size);
        if (!message || !scratch) die("malloc");
        for (size_t i = 0; i < size; i++) message[i] = (char)('a' + i % 26);
        return run_echo(port, count, seconds, warmup);
    }
    if (strcmp(argv[1], "idle") == 0 && argc == 4) {
        size = 1;
        message = malloc(4096);
        scratch = malloc(4096);
        if (!message || !scratch) die("malloc");
        message[0] = 'x';
        return run_idle(port, count);
    }
    usage();
    return 2;
}
