#ifndef C_SUPERLEARNER_H
#define C_SUPERLEARNER_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in `directory` (NULL: ours), standard input from `input_path`
/// (NULL: /dev/null), standard output appended to `output_path` and standard error to `error_path` (NULL or
/// the same path: with the output), every other descriptor closed, default signal dispositions and an
/// empty signal mask; in a new session when `new_session`. Returns the child's pid, or -1 with errno set.
pid_t sl_spawn(const char *path, char *const argv[], char *const envp[], const char *directory, const char *input_path,
               const char *output_path, const char *error_path, int new_session);

/// Waits for the child `pid` to end (blocking, retrying on EINTR): its exit status, 128 + the signal that
/// killed it, or -1 with errno set.
int sl_wait(pid_t pid);

/// Starts `path` with `argv` and `envp` detached from the caller: in a new session (setsid), with
/// standard input from /dev/null, standard output and error appended to `log_path`, every other
/// descriptor closed, default signal dispositions and an empty signal mask. Returns the child's pid, or
/// -1 with errno set.
/// A loopback TCP port that was free a moment ago (bound to port 0 and released), or -1. Another process may
/// take it before the caller binds it: good for tests and for starting local helpers, not a reservation.
int sl_free_loopback_port(void);

pid_t sl_spawn_detached(const char *path, char *const argv[], char *const envp[], const char *log_path);

/// Turns Ctrl-C (SIGINT), SIGTERM and SIGHUP into a readable descriptor instead of death: installs a
/// handler that writes the signal's number to a non-blocking self-pipe and returns the pipe's read end
/// (the same one on later calls), or -1. Blocking waits poll it next to what they wait for: the shell and
/// `top` use it so Ctrl-C cancels a command, and so an ending signal still restores the terminal.
int sl_interrupt_install(void);

/// The read end installed by `sl_interrupt_install`, or -1 when Ctrl-C keeps its default action.
int sl_interrupt_fd(void);

/// Drains the pipe: the signal received since the last call (SIGTERM or SIGHUP before SIGINT), or 0.
int sl_interrupt_take(void);

/// The size of the terminal on `descriptor` (ioctl TIOCGWINSZ, which Swift cannot call: it is variadic).
/// Returns 0 and fills `rows` and `columns`, or -1 when `descriptor` is not a terminal.
int sl_terminal_size(int descriptor, int *rows, int *columns);

/// The environment of this process (glibc's `environ`, which Swift cannot name portably).
char **sl_environ(void);

#endif

#ifndef C_SUPERLEARNER_HEAP_H
#define C_SUPERLEARNER_HEAP_H
#include <stddef.h>
/// Bytes of heap in use by malloc (glibc's mallinfo2().uordblks); 0 where unknown.
size_t sl_heap_in_use(void);

/// Names the calling thread (the first 15 bytes of `name`, as Linux keeps); does nothing elsewhere.
void sl_name_current_thread(const char *name);

/// Sets glibc's M_TOP_PAD, M_TRIM_THRESHOLD and M_MMAP_THRESHOLD; 1 when all three took, 0 elsewhere.
int sl_tune_allocator(int top_pad, int trim_threshold, int mmap_threshold);

/// Gives the kernel back the free pages of every malloc arena (glibc's malloc_trim(0)); 1 when some were
/// released, 0 when none were or off glibc.
int sl_release_free_memory(void);
/// Resource limits applied before exec; a negative value leaves that limit as inherited.
struct sl_program_limits {
    long long open_files;
    long long cpu_seconds;
    long long address_space_bytes;
};

/// Where `sl_program_spawn` failed.
enum {
    SL_STAGE_NONE = 0,
    SL_STAGE_FORK = 1,
    SL_STAGE_SESSION = 2,
    SL_STAGE_STDIO = 3,
    SL_STAGE_DIRECTORY = 4,
    SL_STAGE_LIMITS = 5,
    SL_STAGE_EXEC = 6,
};

/// Starts the program at `path` (absolute) as a supervised child: in a new session and process group,
/// default signal dispositions and an empty mask, standard input from /dev/null, standard output and error
/// on `output_fd` and `error_fd`, `limits` (may be NULL) set with setrlimit, in `directory` (NULL: ours),
/// every other descriptor closed. Returns the pid once exec has succeeded, or -1 with the failing stage
/// and errno in `failed_stage` and `failed_errno`.
pid_t sl_program_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                       int output_fd, int error_fd, const struct sl_program_limits *limits, int *failed_stage,
                       int *failed_errno);

/// pipe2(2) with O_CLOEXEC (glibc declares pipe2 only under _GNU_SOURCE): 0, or -1 with errno.
int sl_pipe(int descriptors[2]);

/// epoll_create1(EPOLL_CLOEXEC): the epoll descriptor, or -1 with errno.
int sl_epoll_create(void);

/// pidfd_open(2): a descriptor that becomes readable when `pid` exits, or -1.
int sl_pidfd_open(pid_t pid);

/// Reaps the exited child behind `pidfd` without blocking: 0 with its exit code (or -1) and the signal
/// that ended it (or 0), 1 when it has not exited yet, -1 with errno on error.
int sl_pidfd_reap(int pidfd, int *exit_code, int *signal_number);

/// Adds `descriptor` to the epoll set for input readiness, tagged with `key`; epoll_ctl's result.
int sl_epoll_add(int epoll_fd, int descriptor, unsigned long long key);

/// Removes `descriptor` from the epoll set; epoll_ctl's result.
int sl_epoll_remove(int epoll_fd, int descriptor);

/// Waits up to `timeout_ms` (-1: forever) and writes the keys of ready descriptors (at most 64); their count.
int sl_epoll_wait(int epoll_fd, unsigned long long *keys, int capacity, int timeout_ms);

/// The connection a constructor opened to `socket` before `main`, with the request it sent there already
/// (`sandbox list` and `process list` only; see EarlyConnection.swift), in `request` as a C string; -1
/// when there is none for that socket. It can be taken once.
int sl_early_take(const char *socket, const char **request);

#endif
