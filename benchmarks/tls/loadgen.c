/*
 * TLS load generator for bench_tls.py.  One thread, level-triggered epoll,
 * non-blocking sockets, OpenSSL's libssl and libcrypto.
 *
 *   loadgen echo PORT CONNECTIONS SIZE WINDOW SECONDS WARMUP verify|count
 *   loadgen handshake PORT CONCURRENCY SECONDS WARMUP openssl|lite
 *   loadgen version
 *
 * Whatever the mode, the client offers exactly one choice, so every server
 * negotiates the same: TLS 1.3 only, TLS_AES_128_GCM_SHA256 only, the
 * X25519 group only, and ECDSA P-256/SHA-256 or RSA-PSS/SHA-256 signatures.
 * It never resumes a session (no session cache, no ticket is ever used),
 * and it does not verify the server's certificate, which is the client's
 * work and would only make this program slower.
 *
 * Why two ways of doing each thing.  TLS costs both ends about the same:
 * what one end encrypts the other decrypts, and a full handshake costs an
 * OpenSSL 3.0 client more CPU than the server (it parses the certificate's
 * key and checks the server's signature).  A plain OpenSSL client on one CPU
 * therefore drives a server on another CPU only about as fast as a C server
 * goes, no faster, and the faster Python servers come close to that.  So
 * the counted runs do less work per connection than the server does, and
 * the same program checks, in a separate run, that every byte is right:
 *
 * echo: CONNECTIONS connections are made and their handshakes completed
 * before the clock starts.  Each then streams SIZE-byte writes (one TLS
 * record each for SIZE <= 16 KiB), keeping at most WINDOW bytes written but
 * not yet echoed.  The stream is (i % 251) at offset i.
 *   verify: every echoed record is decrypted (SSL_read) and every byte
 *     checked.
 *   count: the first SIZE bytes echoed are decrypted and checked (which
 *     also takes in the session tickets the server sends first); after
 *     that the echoed records are not decrypted: their headers are read,
 *     and each application-data record of length L counts as L - 17 bytes
 *     of plaintext (16 bytes of GCM tag, 1 byte of inner content type: the
 *     servers do not pad).  Sending is unchanged (SSL_write).
 * Bytes echoed during the WARMUP seconds are not counted; those of the next
 * SECONDS are.
 *
 * handshake: CONCURRENCY connections at a time, each: a new TCP connection,
 * a full TLS 1.3 handshake, our close_notify, then the server's session
 * tickets and close_notify, then close.  A connection counts when it is
 * closed; one that ends without the server's close_notify (end of stream,
 * a reset) counts too but is reported as "unclean".
 *   openssl: an OpenSSL client (SSL_connect, SSL_shutdown, SSL_read).
 *   lite: a minimal TLS 1.3 client written here on libcrypto: a ClientHello
 *     made once (the same X25519 key share every time: the server still
 *     makes a fresh key pair, computes the shared secret and signs), then
 *     the key schedule of RFC 8446 section 7, the server's Finished checked,
 *     our Finished and close_notify sent, the tickets and close_notify read.
 *     It does not parse the certificate nor check the signature, and
 *     prepares what does not change between connections once.  To the
 *     server it is a full handshake like any other.
 *
 * Any failure (refused connection, failed handshake, wrong byte, a server
 * that closes an echo connection, a connection stuck for 5 s) prints a
 * message on stderr and exits with status 1.  On success one line of JSON
 * goes to stdout: the counts, the rate, this process's CPU use during the
 * counted seconds (percent of one CPU), how long it waited for its CPU
 * while other processes had it (percent of the counted seconds), and what
 * the sessions negotiated.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PERIOD 251
#define READ_SIZE 65536
#define STUCK_SECONDS 5.0
#define MAX_RECORD (5 + 16384 + 256)

static unsigned char pattern[READ_SIZE + PERIOD];
static unsigned char readBuffer[READ_SIZE];
static char negotiated[256];

static void die(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("loadgen: ", stderr);
    vfprintf(stderr, format, args);
    va_end(args);
    unsigned long error;
    while ((error = ERR_get_error()) != 0) {
        char text[256];
        ERR_error_string_n(error, text, sizeof text);
        fprintf(stderr, " [%s]", text);
    }
    fputc('\n', stderr);
    exit(1);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpuSeconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
           usage.ru_stime.tv_usec / 1e6;
}

/* Seconds this process has spent ready to run but waiting for its CPU
   (other processes had it), or 0 where the kernel does not say. */
static double waitSeconds(void) {
    FILE *file = fopen("/proc/self/schedstat", "r");
    unsigned long long running = 0, waiting = 0;
    if (file == NULL) return 0;
    if (fscanf(file, "%llu %llu", &running, &waiting) != 2) waiting = 0;
    fclose(file);
    return waiting / 1e9;
}

static SSL_CTX *makeContext(int readAhead) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (context == NULL) die("SSL_CTX_new failed");
    if (!SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) ||
        !SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION))
        die("cannot restrict to TLS 1.3");
    if (!SSL_CTX_set_ciphersuites(context, "TLS_AES_128_GCM_SHA256"))
        die("cannot set the TLS 1.3 cipher suite");
    if (!SSL_CTX_set1_groups_list(context, "X25519")) die("cannot set the X25519 group");
    if (!SSL_CTX_set1_sigalgs_list(context, "ECDSA+SHA256:rsa_pss_rsae_sha256"))
        die("cannot set the signature algorithms");
    SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* With read-ahead, whole socket buffers are read instead of a record
       header then its body; without it, nothing past the record asked for
       is read (which the echo count mode needs). */
    SSL_CTX_set_read_ahead(context, readAhead);
    return context;
}

static void noteSession(SSL *ssl) {
    if (SSL_session_reused(ssl)) die("a session was resumed: this must be a full handshake");
    if (negotiated[0] != '\0') return;
    int group = SSL_get_negotiated_group(ssl);
    const char *groupName = SSL_group_to_name(ssl, group);
    int signature = NID_undef, digest = NID_undef, bits = 0;
    SSL_get_peer_signature_type_nid(ssl, &signature);
    SSL_get_peer_signature_nid(ssl, &digest);
    const char *keyType = "?";
    X509 *certificate = SSL_get1_peer_certificate(ssl);
    if (certificate != NULL) {
        EVP_PKEY *key = X509_get0_pubkey(certificate);
        if (key != NULL) {
            bits = EVP_PKEY_get_bits(key);
            keyType = EVP_PKEY_get_id(key) == EVP_PKEY_RSA ? "RSA" : "EC";
        }
        X509_free(certificate);
    }
    const char *signatureName = signature == EVP_PKEY_EC        ? "ECDSA"
                                : signature == EVP_PKEY_RSA_PSS ? "RSA-PSS"
                                                                : OBJ_nid2sn(signature);
    snprintf(negotiated, sizeof negotiated, "%s %s %s, %s-%d key, %s-%s signature",
             SSL_get_version(ssl), SSL_get_cipher_name(ssl), groupName ? groupName : "?", keyType,
             bits, signatureName, OBJ_nid2sn(digest));
}

static int newSocket(int port, int blocking) {
    int fd = socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
    if (fd < 0) die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0 && errno != EINPROGRESS) {
        if (errno == EADDRNOTAVAIL)
            die("connect to 127.0.0.1:%d: %s (out of local ports: too many connections in "
                "TIME_WAIT; wait a minute, or widen net.ipv4.ip_local_port_range)",
                port, strerror(errno));
        die("connect to 127.0.0.1:%d: %s", port, strerror(errno));
    }
    return fd;
}

static SSL *newSSL(SSL_CTX *context, int fd) {
    SSL *ssl = SSL_new(context);
    if (ssl == NULL || !SSL_set_fd(ssl, fd)) die("SSL_new failed");
    SSL_set_tlsext_host_name(ssl, "localhost");
    return ssl;
}

static void setInterest(int epoll, int fd, uint32_t index, uint32_t *current, uint32_t wanted) {
    if (*current == wanted) return;
    struct epoll_event event = {.events = wanted, .data.u32 = index};
    if (epoll_ctl(epoll, *current == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) < 0)
        die("epoll_ctl: %s", strerror(errno));
    *current = wanted;
}

static const char *sslErrorText(int error) {
    if (error == SSL_ERROR_SYSCALL) return errno ? strerror(errno) : "end of stream";
    if (error == SSL_ERROR_ZERO_RETURN) return "close_notify";
    return "TLS error";
}

static void printUsage(void) {
    fputs("usage: loadgen echo PORT CONNECTIONS SIZE WINDOW SECONDS WARMUP verify|count\n"
          "       loadgen handshake PORT CONCURRENCY SECONDS WARMUP openssl|lite\n"
          "       loadgen version\n",
          stderr);
    exit(2);
}

/* -- echo ------------------------------------------------------------------- */

typedef struct {
    int fd;
    SSL *ssl;
    uint32_t interest;
    uint64_t sent, received, receivedAtStart;
    BIO *encrypted;     /* SSL_write's output: records not yet in `out` */
    unsigned char *out; /* records not yet sent */
    size_t outStart, outEnd, outCapacity;
    int raw; /* count mode, past the checked first message */
    unsigned char header[5];
    int headerLength;   /* bytes of the next record's header read so far */
    size_t bodyLeft;    /* bytes of the current record's body still to come */
    size_t bodyCounted; /* plaintext bytes the current record holds */
} EchoConnection;

static uint64_t echoTotal;

static void echoReadRaw(EchoConnection *c, uint32_t index) {
    for (;;) {
        ssize_t n = recv(c->fd, readBuffer, sizeof readBuffer, 0);
        if (n == 0) die("connection %u: the server closed the connection after echoing %llu bytes",
                        index, (unsigned long long)c->received);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            die("connection %u: reading failed after %llu bytes echoed: %s", index,
                (unsigned long long)c->received, strerror(errno));
        }
        unsigned char *at = readBuffer, *end = readBuffer + n;
        while (at < end) {
            if (c->bodyLeft == 0) {
                c->header[c->headerLength++] = *at++;
                if (c->headerLength < 5) continue;
                c->headerLength = 0;
                size_t length = (size_t)c->header[3] << 8 | c->header[4];
                if (c->header[0] != 23 || length < 17 || length > 16384 + 256)
                    die("connection %u: a record of type %d and length %zu after %llu bytes "
                        "echoed; expected application data",
                        index, c->header[0], length, (unsigned long long)c->received);
                c->bodyLeft = length;
                c->bodyCounted = length - 17;
                continue;
            }
            size_t take = (size_t)(end - at) < c->bodyLeft ? (size_t)(end - at) : c->bodyLeft;
            at += take;
            c->bodyLeft -= take;
            if (c->bodyLeft == 0) {
                c->received += c->bodyCounted;
                echoTotal += c->bodyCounted;
                if (c->received > c->sent)
                    die("connection %u: the server sent back %llu bytes, more than the %llu sent",
                        index, (unsigned long long)c->received, (unsigned long long)c->sent);
            }
        }
    }
}

static void echoReadChecked(EchoConnection *c, uint32_t index, int size, int countMode) {
    for (;;) {
        int n = SSL_read(c->ssl, readBuffer, sizeof readBuffer);
        if (n > 0) {
            if (c->received + n > c->sent)
                die("connection %u: the server sent back %llu bytes, more than the %llu sent",
                    index, (unsigned long long)(c->received + n), (unsigned long long)c->sent);
            if (memcmp(readBuffer, pattern + c->received % PERIOD, n) != 0) {
                int at = 0;
                while (readBuffer[at] == pattern[(c->received + at) % PERIOD]) at++;
                die("connection %u: echoed byte at offset %llu is 0x%02x, expected 0x%02x", index,
                    (unsigned long long)(c->received + at), readBuffer[at],
                    pattern[(c->received + at) % PERIOD]);
            }
            c->received += n;
            echoTotal += n;
            if (countMode && c->received >= (uint64_t)size) {
                if (SSL_has_pending(c->ssl))
                    die("connection %u: OpenSSL holds unread input; cannot count raw records",
                        index);
                c->raw = 1;
                echoReadRaw(c, index);
                return;
            }
            continue;
        }
        int error = SSL_get_error(c->ssl, n);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
        die("connection %u: reading failed after %llu bytes echoed (%s)", index,
            (unsigned long long)c->received, sslErrorText(error));
    }
}

static void echoService(int epoll, EchoConnection *connections, uint32_t index, int size,
                        uint64_t window, int countMode) {
    EchoConnection *c = &connections[index];
    if (c->raw)
        echoReadRaw(c, index);
    else
        echoReadChecked(c, index, size, countMode);
    /* Records are made into a memory buffer and sent together, as many as
       the window allows: fewer system calls for the same bytes. */
    while (c->sent + size <= c->received + window) {
        int n = SSL_write(c->ssl, pattern + c->sent % PERIOD, size);
        if (n != size)
            die("connection %u: encrypting failed after %llu bytes sent", index,
                (unsigned long long)c->sent);
        c->sent += n;
    }
    for (;;) {
        int n = BIO_read(c->encrypted, c->out + c->outEnd, c->outCapacity - c->outEnd);
        if (n <= 0) break;
        c->outEnd += n;
    }
    while (c->outStart < c->outEnd) {
        ssize_t n = send(c->fd, c->out + c->outStart, c->outEnd - c->outStart, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            die("connection %u: sending failed after %llu bytes sent: %s", index,
                (unsigned long long)c->sent, strerror(errno));
        }
        c->outStart += n;
    }
    if (c->outStart == c->outEnd) c->outStart = c->outEnd = 0;
    setInterest(epoll, c->fd, index, &c->interest,
                EPOLLIN | (c->outStart < c->outEnd ? EPOLLOUT : 0));
}

static int runEcho(int port, int count, int size, uint64_t window, double seconds, double warmup,
                   int countMode) {
    if (count < 1 || size < 1 || size > 16384 || window < (uint64_t)size) printUsage();
    SSL_CTX *context = makeContext(!countMode);
    EchoConnection *connections = calloc(count, sizeof *connections);
    int epoll = epoll_create1(0);
    for (int i = 0; i < count; i++) {
        EchoConnection *c = &connections[i];
        c->fd = newSocket(port, 1);
        c->ssl = newSSL(context, c->fd);
        if (SSL_connect(c->ssl) != 1) die("connection %d: the TLS handshake failed", i);
        noteSession(c->ssl);
        int flags = 1;
        ioctl(c->fd, FIONBIO, &flags);
        c->encrypted = BIO_new(BIO_s_mem());
        if (c->encrypted == NULL) die("BIO_new failed");
        SSL_set0_wbio(c->ssl, c->encrypted);
        c->outCapacity = window + (window / size + 1) * 64 + READ_SIZE;
        c->out = malloc(c->outCapacity);
    }
    for (uint32_t i = 0; i < (uint32_t)count; i++)
        echoService(epoll, connections, i, size, window, countMode);
    struct epoll_event events[256];
    double start = now(), countFrom = start + warmup, end = countFrom + seconds;
    double cpuAtStart = 0, waitAtStart = 0, countedFrom = 0;
    uint64_t totalAtStart = 0;
    int counting = 0;
    double lastProgress = start;
    uint64_t lastTotal = 0;
    for (;;) {
        double t = now();
        if (!counting && t >= countFrom) {
            counting = 1;
            countedFrom = t;
            cpuAtStart = cpuSeconds();
            waitAtStart = waitSeconds();
            totalAtStart = echoTotal;
            for (int i = 0; i < count; i++) connections[i].receivedAtStart = connections[i].received;
        }
        if (t >= end) break;
        if (echoTotal != lastTotal) {
            lastTotal = echoTotal;
            lastProgress = t;
        } else if (t - lastProgress > STUCK_SECONDS) {
            die("no byte echoed on any connection for %.0f s (%llu echoed in all)", STUCK_SECONDS,
                (unsigned long long)echoTotal);
        }
        double until = (counting ? end : countFrom) - t;
        int timeout = (int)(until * 1000) + 1;
        int ready = epoll_wait(epoll, events, 256, timeout < 100 ? timeout : 100);
        if (ready < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
        for (int i = 0; i < ready; i++)
            echoService(epoll, connections, events[i].data.u32, size, window, countMode);
    }
    double elapsed = now() - countedFrom;
    double cpu = cpuSeconds() - cpuAtStart, wait = waitSeconds() - waitAtStart;
    uint64_t counted = echoTotal - totalAtStart;
    for (int i = 0; i < count; i++) {
        if (connections[i].received == connections[i].receivedAtStart)
            die("connection %d: nothing echoed during the %.2f counted seconds (%llu bytes before, "
                "%llu in flight)",
                i, elapsed, (unsigned long long)connections[i].received,
                (unsigned long long)(connections[i].sent - connections[i].received));
    }
    printf("{\"bytes\": %llu, \"all_bytes\": %llu, \"seconds\": %.6f, \"mb_per_second\": %.3f, "
           "\"loadgen_cpu_percent\": %.1f, \"loadgen_wait_percent\": %.1f, \"tls\": \"%s\"}\n",
           (unsigned long long)counted, (unsigned long long)echoTotal, elapsed,
           counted / 1e6 / elapsed, cpu / elapsed * 100, wait / elapsed * 100, negotiated);
    return 0;
}

/* -- handshakes: common ------------------------------------------------------ */

enum { CONNECTING, HANDSHAKING, CLOSING };
static const char *stateNames[] = {"connecting", "in the handshake", "waiting for close_notify"};
static uint64_t handshakesDone, uncleanDone, ticketsSeen;

typedef struct Lite Lite;
typedef struct LiteConnection LiteConnection;

typedef struct {
    int fd;
    SSL *ssl;
    int state;
    int shutdownSent;
    uint32_t interest;
    double started;
    LiteConnection *lite;
} HandshakeConnection;

static void handshakeStart(int epoll, HandshakeConnection *c, uint32_t index, int port) {
    c->fd = newSocket(port, 0);
    c->ssl = NULL;
    c->state = CONNECTING;
    c->shutdownSent = 0;
    c->interest = 0;
    c->started = now();
    setInterest(epoll, c->fd, index, &c->interest, EPOLLOUT);
}

static void handshakeFinished(HandshakeConnection *c, int clean) {
    if (c->ssl != NULL) SSL_free(c->ssl);
    c->ssl = NULL;
    close(c->fd);
    handshakesDone++;
    if (!clean) uncleanDone++;
}

/* -- handshakes: the OpenSSL client ------------------------------------------ */

/* Returns 1 when the connection is finished and closed. */
static int opensslStep(int epoll, SSL_CTX *context, HandshakeConnection *c, uint32_t index) {
    if (c->state == CONNECTING) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) die("connection %u: connect: %s", index, strerror(error));
        c->ssl = newSSL(context, c->fd);
        c->state = HANDSHAKING;
    }
    if (c->state == HANDSHAKING) {
        int r = SSL_connect(c->ssl);
        if (r != 1) {
            int error = SSL_get_error(c->ssl, r);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                setInterest(epoll, c->fd, index, &c->interest,
                            error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
                return 0;
            }
            die("connection %u: the TLS handshake failed (%s)", index, sslErrorText(error));
        }
        noteSession(c->ssl);
        c->state = CLOSING;
    }
    if (!c->shutdownSent) {
        int r = SSL_shutdown(c->ssl);
        if (r < 0) {
            int error = SSL_get_error(c->ssl, r);
            if (error == SSL_ERROR_WANT_WRITE) {
                setInterest(epoll, c->fd, index, &c->interest, EPOLLOUT);
                return 0;
            }
            die("connection %u: sending close_notify failed (%s)", index, sslErrorText(error));
        }
        c->shutdownSent = 1;
    }
    for (;;) {
        int n = SSL_read(c->ssl, readBuffer, sizeof readBuffer);
        if (n > 0) die("connection %u: the server sent %d bytes of data unasked", index, n);
        int error = SSL_get_error(c->ssl, n);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            setInterest(epoll, c->fd, index, &c->interest,
                        error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
            return 0;
        }
        if (error == SSL_ERROR_ZERO_RETURN) {
            handshakeFinished(c, 1);
            return 1;
        }
        unsigned long reason = ERR_peek_error();
        if ((error == SSL_ERROR_SSL &&
             ERR_GET_REASON(reason) == SSL_R_UNEXPECTED_EOF_WHILE_READING) ||
            (error == SSL_ERROR_SYSCALL && (errno == 0 || errno == ECONNRESET))) {
            ERR_clear_error();
            handshakeFinished(c, 0);
            return 1;
        }
        die("connection %u: waiting for the server's close_notify failed (%s)", index,
            sslErrorText(error));
    }
}

/* -- handshakes: the minimal TLS 1.3 client ------------------------------------ */

struct Lite {
    EVP_MD *sha256;
    EVP_MD_CTX *scratch;
    EVP_MAC_CTX *hmac;
    EVP_CIPHER *gcm;
    EVP_PKEY_CTX *derive;   /* our X25519 key, ready to derive */
    EVP_MD_CTX *afterHello; /* the transcript hash after our ClientHello */
    unsigned char derivedEarly[32], emptyHash[32], zeros[32];
    unsigned char hello[512];
    size_t helloLength;
};

typedef struct {
    EVP_CIPHER_CTX *cipher;
    unsigned char iv[12];
    uint64_t sequence;
} Direction;

struct LiteConnection {
    EVP_MD_CTX *transcript;
    Direction in, out;
    int phase; /* 0: ServerHello next; 1: the server's encrypted flight; 2: tickets, close */
    unsigned char handshakeSecret[32], clientSecret[32], serverSecret[32];
    unsigned char input[2 * MAX_RECORD];
    size_t inputLength;
    unsigned char messages[4 * MAX_RECORD];
    size_t messagesLength;
};

static void hmac(Lite *l, const unsigned char *key, size_t keyLength, const unsigned char *data,
                 size_t length, unsigned char out[32]) {
    size_t outLength;
    if (!EVP_MAC_init(l->hmac, key, keyLength, NULL) || !EVP_MAC_update(l->hmac, data, length) ||
        !EVP_MAC_final(l->hmac, out, &outLength, 32))
        die("HMAC failed");
}

/* HKDF-Expand-Label (RFC 8446 7.1) for outputs of at most one hash. */
static void expandLabel(Lite *l, const unsigned char secret[32], const char *label,
                        const unsigned char *context, size_t contextLength, unsigned char *out,
                        size_t length) {
    unsigned char info[2 + 1 + 255 + 1 + 64 + 1], block[32];
    size_t labelLength = strlen(label), n = 0;
    info[n++] = length >> 8;
    info[n++] = length & 0xff;
    info[n++] = 6 + labelLength;
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, labelLength);
    n += labelLength;
    info[n++] = contextLength;
    if (contextLength) memcpy(info + n, context, contextLength);
    n += contextLength;
    info[n++] = 1;
    hmac(l, secret, 32, info, n, block);
    memcpy(out, block, length);
}

static void transcriptHash(Lite *l, EVP_MD_CTX *transcript, unsigned char out[32]) {
    if (!EVP_MD_CTX_copy_ex(l->scratch, transcript) || !EVP_DigestFinal_ex(l->scratch, out, NULL))
        die("SHA-256 failed");
}

static void setKeys(Lite *l, Direction *d, const unsigned char secret[32], int encrypt) {
    unsigned char key[16];
    expandLabel(l, secret, "key", NULL, 0, key, 16);
    expandLabel(l, secret, "iv", NULL, 0, d->iv, 12);
    if (!EVP_CipherInit_ex2(d->cipher, l->gcm, key, NULL, encrypt, NULL)) die("AES-GCM key");
    d->sequence = 0;
}

static void nonceOf(Direction *d, unsigned char nonce[12]) {
    memcpy(nonce, d->iv, 12);
    for (int i = 0; i < 8; i++) nonce[11 - i] ^= (d->sequence >> (8 * i)) & 0xff;
    d->sequence++;
}

/* Encrypt one record of `type` into `out`; returns its length. */
static size_t seal(Direction *d, unsigned char type, const unsigned char *plain, size_t length,
                   unsigned char *out) {
    unsigned char nonce[12];
    size_t body = length + 1 + 16;
    int n;
    out[0] = 23;
    out[1] = 3;
    out[2] = 3;
    out[3] = body >> 8;
    out[4] = body & 0xff;
    nonceOf(d, nonce);
    if (!EVP_CipherInit_ex2(d->cipher, NULL, NULL, nonce, 1, NULL) ||
        !EVP_EncryptUpdate(d->cipher, NULL, &n, out, 5) ||
        !EVP_EncryptUpdate(d->cipher, out + 5, &n, plain, length) ||
        !EVP_EncryptUpdate(d->cipher, out + 5 + length, &n, &type, 1) ||
        !EVP_EncryptFinal_ex(d->cipher, out + 5 + length + 1, &n) ||
        !EVP_CIPHER_CTX_ctrl(d->cipher, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + length + 1))
        die("AES-GCM encryption failed");
    return 5 + body;
}

/* Decrypt the record at `record` in place; returns the inner content type
   and sets *length to the plaintext's. */
static int unseal(Direction *d, unsigned char *record, size_t body, size_t *length,
                  uint32_t index) {
    unsigned char nonce[12];
    int n;
    if (body < 17) die("connection %u: an encrypted record of %zu bytes", index, body);
    size_t cipherLength = body - 16;
    nonceOf(d, nonce);
    if (!EVP_CipherInit_ex2(d->cipher, NULL, NULL, nonce, 0, NULL) ||
        !EVP_DecryptUpdate(d->cipher, NULL, &n, record, 5) ||
        !EVP_DecryptUpdate(d->cipher, record + 5, &n, record + 5, cipherLength) ||
        !EVP_CIPHER_CTX_ctrl(d->cipher, EVP_CTRL_AEAD_SET_TAG, 16, record + 5 + cipherLength) ||
        EVP_DecryptFinal_ex(d->cipher, record + 5 + cipherLength, &n) <= 0)
        die("connection %u: a record from the server does not decrypt", index);
    size_t end = cipherLength;
    while (end > 0 && record[5 + end - 1] == 0) end--;
    if (end == 0) die("connection %u: a record from the server has no content type", index);
    *length = end - 1;
    return record[5 + end - 1];
}

static Lite *liteSetUp(void) {
    Lite *l = calloc(1, sizeof *l);
    l->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    l->scratch = EVP_MD_CTX_new();
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    l->hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    l->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    if (!l->sha256 || !l->scratch || !l->hmac || !l->gcm) die("fetching the algorithms failed");
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (!EVP_MAC_CTX_set_params(l->hmac, params)) die("HMAC-SHA256 set-up failed");
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    unsigned char share[32];
    size_t shareLength = sizeof share;
    if (key == NULL || !EVP_PKEY_get_raw_public_key(key, share, &shareLength))
        die("X25519 key generation failed");
    l->derive = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (l->derive == NULL || EVP_PKEY_derive_init(l->derive) <= 0) die("X25519 set-up failed");
    /* Early secret with no PSK, and the "derived" secret from it. */
    unsigned char early[32];
    hmac(l, l->zeros, 32, l->zeros, 32, early);
    if (!EVP_Digest("", 0, l->emptyHash, NULL, l->sha256, NULL)) die("SHA-256 failed");
    expandLabel(l, early, "derived", l->emptyHash, 32, l->derivedEarly, 32);
    /* The ClientHello record. */
    unsigned char *h = l->hello;
    size_t n = 0;
    static const unsigned char head[] = {22, 3, 1, 0, 0, 1, 0, 0, 0, 3, 3};
    memcpy(h, head, sizeof head);
    n = sizeof head;
    for (int i = 0; i < 32; i++) h[n++] = (unsigned char)(i * 37 + 11); /* random */
    h[n++] = 0;                                                         /* no session id */
    static const unsigned char suites[] = {0, 2, 0x13, 0x01, 1, 0};
    memcpy(h + n, suites, sizeof suites);
    n += sizeof suites;
    size_t extensionsAt = n;
    n += 2;
    static const unsigned char extensions[] = {
        0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09, 'l', 'o', 'c', 'a', 'l',
        'h',  'o',  's',  't',                         /* server_name: localhost */
        0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d, /* supported_groups: x25519 */
        0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04, /* signature_algorithms */
        0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04,       /* supported_versions: TLS 1.3 */
        0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,             /* psk_key_exchange_modes: psk_dhe_ke */
        0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, /* key_share: x25519 */
    };
    memcpy(h + n, extensions, sizeof extensions);
    n += sizeof extensions;
    memcpy(h + n, share, 32);
    n += 32;
    size_t extensionsLength = n - extensionsAt - 2, message = n - 9, record = n - 5;
    h[extensionsAt] = extensionsLength >> 8;
    h[extensionsAt + 1] = extensionsLength & 0xff;
    h[3] = record >> 8;
    h[4] = record & 0xff;
    h[6] = message >> 16;
    h[7] = (message >> 8) & 0xff;
    h[8] = message & 0xff;
    l->helloLength = n;
    l->afterHello = EVP_MD_CTX_new();
    if (!EVP_DigestInit_ex(l->afterHello, l->sha256, NULL) ||
        !EVP_DigestUpdate(l->afterHello, h + 5, n - 5))
        die("SHA-256 failed");
    strcpy(negotiated, "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 (the minimal client checks these)");
    return l;
}

static LiteConnection *liteConnectionNew(void) {
    LiteConnection *lc = calloc(1, sizeof *lc);
    lc->transcript = EVP_MD_CTX_new();
    lc->in.cipher = EVP_CIPHER_CTX_new();
    lc->out.cipher = EVP_CIPHER_CTX_new();
    if (!lc->transcript || !lc->in.cipher || !lc->out.cipher) die("out of memory");
    return lc;
}

static void serverHello(Lite *l, LiteConnection *lc, const unsigned char *m, size_t length,
                        uint32_t index) {
    static const unsigned char retry[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    if (length < 4 + 38 || m[0] != 2) die("connection %u: expected a ServerHello", index);
    const unsigned char *p = m + 4, *end = m + length;
    if (memcmp(p + 2, retry, 32) == 0)
        die("connection %u: the server asked for another key share (HelloRetryRequest)", index);
    p += 34;
    p += 1 + p[0]; /* session id */
    if (p + 5 > end || p[0] != 0x13 || p[1] != 0x01)
        die("connection %u: the server chose a cipher suite other than TLS_AES_128_GCM_SHA256",
            index);
    p += 3;
    size_t extensionsLength = (size_t)p[0] << 8 | p[1];
    p += 2;
    if (p + extensionsLength != end) die("connection %u: a malformed ServerHello", index);
    const unsigned char *share = NULL;
    int version = 0;
    while (p + 4 <= end) {
        unsigned type = p[0] << 8 | p[1];
        size_t size = (size_t)p[2] << 8 | p[3];
        p += 4;
        if (p + size > end) die("connection %u: a malformed ServerHello extension", index);
        if (type == 0x2b && size == 2) version = p[0] << 8 | p[1];
        if (type == 0x33 && size == 36 && p[0] == 0 && p[1] == 0x1d && p[3] == 32) share = p + 4;
        p += size;
    }
    if (version != 0x0304 || share == NULL)
        die("connection %u: the ServerHello is not TLS 1.3 with an X25519 key share", index);
    if (!EVP_MD_CTX_copy_ex(lc->transcript, l->afterHello) ||
        !EVP_DigestUpdate(lc->transcript, m, length))
        die("SHA-256 failed");
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, share, 32);
    unsigned char shared[32], hash[32];
    size_t sharedLength = sizeof shared;
    if (peer == NULL || EVP_PKEY_derive_set_peer_ex(l->derive, peer, 0) <= 0 ||
        EVP_PKEY_derive(l->derive, shared, &sharedLength) <= 0)
        die("connection %u: X25519 failed", index);
    EVP_PKEY_free(peer);
    hmac(l, l->derivedEarly, 32, shared, 32, lc->handshakeSecret);
    transcriptHash(l, lc->transcript, hash);
    expandLabel(l, lc->handshakeSecret, "c hs traffic", hash, 32, lc->clientSecret, 32);
    expandLabel(l, lc->handshakeSecret, "s hs traffic", hash, 32, lc->serverSecret, 32);
    setKeys(l, &lc->in, lc->serverSecret, 0);
    setKeys(l, &lc->out, lc->clientSecret, 1);
    lc->phase = 1;
}

/* The server's Finished: check it, send ours and close_notify, switch to
   the application keys. */
static void serverFinished(Lite *l, LiteConnection *lc, int fd, const unsigned char *m,
                           size_t length, uint32_t index) {
    unsigned char key[32], hash[32], expected[32];
    expandLabel(l, lc->serverSecret, "finished", NULL, 0, key, 32);
    transcriptHash(l, lc->transcript, hash);
    hmac(l, key, 32, hash, 32, expected);
    if (length != 4 + 32 || memcmp(m + 4, expected, 32) != 0)
        die("connection %u: the server's Finished does not match the handshake", index);
    EVP_DigestUpdate(lc->transcript, m, length);
    transcriptHash(l, lc->transcript, hash);
    unsigned char derived[32], master[32], clientApp[32], serverApp[32];
    expandLabel(l, lc->handshakeSecret, "derived", l->emptyHash, 32, derived, 32);
    hmac(l, derived, 32, l->zeros, 32, master);
    expandLabel(l, master, "c ap traffic", hash, 32, clientApp, 32);
    expandLabel(l, master, "s ap traffic", hash, 32, serverApp, 32);
    unsigned char finished[4 + 32], out[2 * 64];
    finished[0] = 20;
    finished[1] = 0;
    finished[2] = 0;
    finished[3] = 32;
    expandLabel(l, lc->clientSecret, "finished", NULL, 0, key, 32);
    hmac(l, key, 32, hash, 32, finished + 4);
    size_t n = seal(&lc->out, 22, finished, sizeof finished, out);
    setKeys(l, &lc->out, clientApp, 1);
    static const unsigned char closeNotify[] = {1, 0};
    n += seal(&lc->out, 21, closeNotify, 2, out + n);
    setKeys(l, &lc->in, serverApp, 0);
    if (write(fd, out, n) != (ssize_t)n)
        die("connection %u: sending Finished and close_notify failed: %s", index, strerror(errno));
    lc->phase = 2;
}

/* Take in the handshake messages gathered so far. */
static void liteMessages(Lite *l, LiteConnection *lc, int fd, uint32_t index) {
    size_t at = 0;
    while (lc->messagesLength - at >= 4) {
        unsigned char *m = lc->messages + at;
        size_t length = 4 + ((size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3]);
        if (length > sizeof lc->messages) die("connection %u: a handshake message of %zu bytes",
                                              index, length);
        if (lc->messagesLength - at < length) break;
        if (lc->phase == 1) {
            if (m[0] == 20)
                serverFinished(l, lc, fd, m, length, index);
            else if (m[0] == 8 || m[0] == 11 || m[0] == 15)
                EVP_DigestUpdate(lc->transcript, m, length);
            else
                die("connection %u: unexpected handshake message %d from the server", index, m[0]);
        } else if (m[0] == 4) {
            ticketsSeen++;
        } else {
            die("connection %u: unexpected handshake message %d after the handshake", index, m[0]);
        }
        at += length;
    }
    memmove(lc->messages, lc->messages + at, lc->messagesLength - at);
    lc->messagesLength -= at;
}

/* Returns 1 when the connection is finished and closed. */
static int liteStep(int epoll, Lite *l, HandshakeConnection *c, uint32_t index) {
    LiteConnection *lc = c->lite;
    if (c->state == CONNECTING) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) die("connection %u: connect: %s", index, strerror(error));
        if (write(c->fd, l->hello, l->helloLength) != (ssize_t)l->helloLength)
            die("connection %u: sending the ClientHello failed: %s", index, strerror(errno));
        c->state = HANDSHAKING;
        lc->phase = 0;
        lc->inputLength = 0;
        lc->messagesLength = 0;
        setInterest(epoll, c->fd, index, &c->interest, EPOLLIN);
        return 0;
    }
    for (;;) {
        ssize_t n = read(c->fd, lc->input + lc->inputLength, sizeof lc->input - lc->inputLength);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            if (lc->phase < 2)
                die("connection %u: the server closed the connection during the handshake",
                    index);
            handshakeFinished(c, 0);
            return 1;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return 0;
            die("connection %u: reading failed: %s", index, strerror(errno));
        }
        lc->inputLength += n;
        size_t at = 0;
        while (lc->inputLength - at >= 5) {
            unsigned char *record = lc->input + at;
            size_t body = (size_t)record[3] << 8 | record[4];
            if (body > MAX_RECORD - 5) die("connection %u: a record of %zu bytes", index, body);
            if (lc->inputLength - at < 5 + body) break;
            at += 5 + body;
            if (record[0] == 20) continue; /* ChangeCipherSpec: ignored in TLS 1.3 */
            if (record[0] == 21)
                die("connection %u: the server sent alert %d in the clear", index, record[6]);
            if (lc->phase == 0) {
                if (record[0] != 22) die("connection %u: expected a ServerHello record", index);
                serverHello(l, lc, record + 5, body, index);
                continue;
            }
            if (record[0] != 23) die("connection %u: a record of type %d", index, record[0]);
            size_t length;
            int type = unseal(&lc->in, record, body, &length, index);
            if (type == 21) {
                if (lc->phase == 2 && length == 2 && record[6] == 0) {
                    handshakeFinished(c, 1);
                    return 1;
                }
                die("connection %u: the server sent alert %d", index, length == 2 ? record[6] : -1);
            }
            if (type != 22) die("connection %u: unexpected content type %d", index, type);
            if (lc->messagesLength + length > sizeof lc->messages)
                die("connection %u: handshake messages too long", index);
            memcpy(lc->messages + lc->messagesLength, record + 5, length);
            lc->messagesLength += length;
            liteMessages(l, lc, c->fd, index);
            if (lc->phase == 2) c->state = CLOSING;
        }
        memmove(lc->input, lc->input + at, lc->inputLength - at);
        lc->inputLength -= at;
    }
}

static int runHandshakes(int port, int concurrency, double seconds, double warmup, int lite) {
    if (concurrency < 1) printUsage();
    SSL_CTX *context = lite ? NULL : makeContext(1);
    Lite *l = lite ? liteSetUp() : NULL;
    HandshakeConnection *connections = calloc(concurrency, sizeof *connections);
    int epoll = epoll_create1(0);
    struct epoll_event events[256];
    double start = now(), countFrom = start + warmup, end = countFrom + seconds;
    double cpuAtStart = 0, waitAtStart = 0, countedFrom = 0;
    uint64_t doneAtStart = 0;
    int counting = 0;
    for (uint32_t i = 0; i < (uint32_t)concurrency; i++) {
        if (lite) connections[i].lite = liteConnectionNew();
        handshakeStart(epoll, &connections[i], i, port);
    }
    for (;;) {
        double t = now();
        if (!counting && t >= countFrom) {
            counting = 1;
            countedFrom = t;
            cpuAtStart = cpuSeconds();
            waitAtStart = waitSeconds();
            doneAtStart = handshakesDone;
        }
        if (t >= end) break;
        for (int i = 0; i < concurrency; i++) {
            if (t - connections[i].started > STUCK_SECONDS)
                die("connection %d: stuck %s for %.0f s (%llu connections done before)", i,
                    stateNames[connections[i].state], STUCK_SECONDS,
                    (unsigned long long)handshakesDone);
        }
        double until = (counting ? end : countFrom) - t;
        int timeout = (int)(until * 1000) + 1;
        int ready = epoll_wait(epoll, events, 256, timeout < 100 ? timeout : 100);
        if (ready < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
        for (int i = 0; i < ready; i++) {
            uint32_t index = events[i].data.u32;
            HandshakeConnection *c = &connections[index];
            int finished = lite ? liteStep(epoll, l, c, index) : opensslStep(epoll, context, c, index);
            if (finished) handshakeStart(epoll, c, index, port);
        }
    }
    double elapsed = now() - countedFrom;
    double cpu = cpuSeconds() - cpuAtStart, wait = waitSeconds() - waitAtStart;
    uint64_t counted = handshakesDone - doneAtStart;
    if (handshakesDone == 0) die("no connection completed in %.2f s", elapsed + warmup);
    printf("{\"handshakes\": %llu, \"all_handshakes\": %llu, \"unclean\": %llu, "
           "\"tickets_per_connection\": %.2f, \"seconds\": %.6f, \"handshakes_per_second\": %.3f, "
           "\"loadgen_cpu_percent\": %.1f, \"loadgen_wait_percent\": %.1f, \"tls\": \"%s\"}\n",
           (unsigned long long)counted, (unsigned long long)handshakesDone,
           (unsigned long long)uncleanDone, lite ? (double)ticketsSeen / handshakesDone : -1.0,
           elapsed, counted / elapsed, cpu / elapsed * 100, wait / elapsed * 100, negotiated);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (unsigned char)(i % PERIOD);
    if (argc == 9 && strcmp(argv[1], "echo") == 0) {
        int countMode = strcmp(argv[8], "count") == 0;
        if (!countMode && strcmp(argv[8], "verify") != 0) printUsage();
        return runEcho(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), strtoull(argv[5], NULL, 10),
                       atof(argv[6]), atof(argv[7]), countMode);
    }
    if (argc == 7 && strcmp(argv[1], "handshake") == 0) {
        int lite = strcmp(argv[6], "lite") == 0;
        if (!lite && strcmp(argv[6], "openssl") != 0) printUsage();
        return runHandshakes(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atof(argv[5]), lite);
    }
    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
        return 0;
    }
    printUsage();
    return 2;
}
