// The early request of `sandbox list` and `process list`, sent from a constructor: before the Swift runtime
// starts, so the daemon answers while this process is still starting (see EarlyConnection.swift).
#define _GNU_SOURCE
#include "CSuperlearner.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

// Byte for byte what SuperlearnerClient.requestBytes writes for these GETs on the Unix socket; the command
// uses the connection only if its own request is the same (a test counts one request per command).
static const char sandboxes_request[] = "GET /api/v1/sandboxes HTTP/1.1\r\nHost: superlearner\r\n"
                                        "User-Agent: superlearner-cli\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
static const char processes_request[] = "GET /api/v1/processes HTTP/1.1\r\nHost: superlearner\r\n"
                                        "User-Agent: superlearner-cli\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

static int early_descriptor = -1;
static char early_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
static const char *early_sent = NULL;

// The socket as SuperlearnerPaths.resolve finds it: --socket, SUPERLEARNER_SOCKET, SUPERLEARNER_HOME,
// XDG_STATE_HOME, HOME. Returns 0 when it fits in `path`.
static int socket_path(const char *explicit_socket, char *path, size_t size) {
    const char *value;
    int written;
    if (explicit_socket) {
        written = snprintf(path, size, "%s", explicit_socket);
    } else if ((value = getenv("SUPERLEARNER_SOCKET")) && *value) {
        written = snprintf(path, size, "%s", value);
    } else if ((value = getenv("SUPERLEARNER_HOME")) && *value) {
        written = snprintf(path, size, "%s/superlearner.sock", value);
    } else if ((value = getenv("XDG_STATE_HOME")) && *value) {
        written = snprintf(path, size, "%s/superlearner/superlearner.sock", value);
    } else {
        value = getenv("HOME");
        written = snprintf(path, size, "%s/.local/state/superlearner/superlearner.sock", value ? value : "/tmp");
    }
    return written > 0 && (size_t)written < size ? 0 : -1;
}

__attribute__((constructor)) static void sl_early_request(int argc, char **argv, char **envp) {
    (void)envp;
    const char *words[2];
    int count = 0;
    const char *explicit_socket = NULL;
    for (int index = 1; index < argc; index++) {
        const char *argument = argv[index];
        if (!strcmp(argument, "--json") || !strcmp(argument, "--quiet") || !strcmp(argument, "-q") ||
            !strcmp(argument, "--no-color"))
            continue;
        if (!strcmp(argument, "--socket")) {
            if (index + 1 >= argc) return;
            explicit_socket = argv[++index];
            continue;
        }
        if (!strncmp(argument, "--socket=", 9)) {
            explicit_socket = argument + 9;
            continue;
        }
        if (count == 2) return;
        words[count++] = argument;
    }
    if (count != 2 || strcmp(words[1], "list")) return;
    const char *request;
    if (!strcmp(words[0], "sandbox")) {
        request = sandboxes_request;
    } else if (!strcmp(words[0], "process")) {
        request = processes_request;
    } else {
        return;
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (socket_path(explicit_socket, address.sun_path, sizeof address.sun_path)) return;
    // Non-blocking, so a daemon whose queue is full (or none at all) never holds up the start.
    int descriptor = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (descriptor < 0) return;
    size_t length = strlen(request);
    if (connect(descriptor, (struct sockaddr *)&address, sizeof address) != 0 ||
        send(descriptor, request, length, MSG_NOSIGNAL) != (ssize_t)length) {
        close(descriptor);
        return;
    }
    fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK);
    memcpy(early_socket, address.sun_path, sizeof early_socket);
    early_sent = request;
    early_descriptor = descriptor;
}

int sl_early_take(const char *socket, const char **request) {
    if (early_descriptor < 0 || strcmp(socket, early_socket)) return -1;
    int descriptor = early_descriptor;
    early_descriptor = -1;
    *request = early_sent;
    return descriptor;
}
