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
#endif
