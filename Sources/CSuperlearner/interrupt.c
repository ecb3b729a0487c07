#define _GNU_SOURCE
#include "CSuperlearner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* The self-pipe: the handler may only do async-signal-safe things, so it writes one byte that any
   thread's poll() can see. The descriptors are set once, before the handler is installed. */
static atomic_int sl_interrupt_read = -1;
static atomic_int sl_interrupt_write = -1;

static void sl_on_interrupt(int signal_number) {
    int saved = errno;
    char byte = (char)signal_number;
    ssize_t ignored = write(atomic_load(&sl_interrupt_write), &byte, 1);
    (void)ignored;
    errno = saved;
}

int sl_interrupt_install(void) {
    int existing = atomic_load(&sl_interrupt_read);
    if (existing >= 0) return existing;
    int ends[2];
    if (pipe2(ends, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    atomic_store(&sl_interrupt_write, ends[1]);
    atomic_store(&sl_interrupt_read, ends[0]);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sl_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    /* Asked to end (SIGTERM) or the terminal hung up (SIGHUP): the owner still gets to put the terminal
       back and save its history first. */
    if (sigaction(SIGTERM, &action, NULL) != 0 || sigaction(SIGHUP, &action, NULL) != 0) return -1;
    return ends[0];
}

int sl_interrupt_fd(void) { return atomic_load(&sl_interrupt_read); }

int sl_interrupt_take(void) {
    int descriptor = atomic_load(&sl_interrupt_read);
    if (descriptor < 0) return 0;
    char buffer[64];
    int taken = 0;
    ssize_t count;
    while ((count = read(descriptor, buffer, sizeof buffer)) > 0) {
        for (ssize_t index = 0; index < count; index++) {
            /* An ending signal outranks Ctrl-C. */
            if (taken == 0 || taken == SIGINT) taken = buffer[index];
        }
    }
    return taken;
}
