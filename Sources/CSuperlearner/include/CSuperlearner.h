#ifndef C_SUPERLEARNER_H
#define C_SUPERLEARNER_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` detached from the caller: in a new session (setsid), with
/// standard input from /dev/null, standard output and error appended to `log_path`, every other
/// descriptor closed, default signal dispositions and an empty signal mask. Returns the child's pid, or
/// -1 with errno set.
pid_t sl_spawn_detached(const char *path, char *const argv[], char *const envp[], const char *log_path);

/// The environment of this process (glibc's `environ`, which Swift cannot name portably).
char **sl_environ(void);

#endif

#ifndef C_SUPERLEARNER_HEAP_H
#define C_SUPERLEARNER_HEAP_H
#include <stddef.h>
/// Bytes of heap in use by malloc (glibc's mallinfo2().uordblks); 0 where unknown.
size_t sl_heap_in_use(void);
#endif
