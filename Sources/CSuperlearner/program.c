#define _GNU_SOURCE
#include "CSuperlearner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the child reports through the error pipe when it cannot become the program. */
struct sl_failure {
    int stage;
    int error;
};

static void sl_fail(int pipe_fd, int stage) {
    struct sl_failure failure = {stage, errno};
    ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

static int sl_set_limit(int resource, long long value) {
    if (value < 0) return 0;
    struct rlimit limit = {(rlim_t)value, (rlim_t)value};
    return setrlimit(resource, &limit);
}

pid_t sl_program_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                       int output_fd, int error_fd, const struct sl_program_limits *limits, int *failed_stage,
                       int *failed_errno) {
    int report[2];
    *failed_stage = SL_STAGE_NONE;
    *failed_errno = 0;
    if (pipe2(report, O_CLOEXEC) != 0) {
        *failed_stage = SL_STAGE_FORK;
        *failed_errno = errno;
        return -1;
    }
    /* Only async-signal-safe calls between fork and exec: the daemon has many threads. */
    pid_t pid = fork();
    if (pid < 0) {
        *failed_stage = SL_STAGE_FORK;
        *failed_errno = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        if (setsid() < 0) sl_fail(report[1], SL_STAGE_SESSION);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        for (int number = 1; number < NSIG; number++) sigaction(number, &action, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int input = open("/dev/null", O_RDONLY);
        if (input < 0 || dup2(input, 0) < 0) sl_fail(report[1], SL_STAGE_STDIO);
        if (dup2(output_fd, 1) < 0 || dup2(error_fd, 2) < 0) sl_fail(report[1], SL_STAGE_STDIO);
        if (directory && chdir(directory) != 0) sl_fail(report[1], SL_STAGE_DIRECTORY);
        if (limits) {
            if (sl_set_limit(RLIMIT_NOFILE, limits->open_files) != 0) sl_fail(report[1], SL_STAGE_LIMITS);
            if (sl_set_limit(RLIMIT_CPU, limits->cpu_seconds) != 0) sl_fail(report[1], SL_STAGE_LIMITS);
            if (sl_set_limit(RLIMIT_AS, limits->address_space_bytes) != 0) sl_fail(report[1], SL_STAGE_LIMITS);
        }
        /* Nothing the daemon holds (sockets, the database, other children's pipes) reaches the program;
           the report pipe is close-on-exec, so a successful exec closes it and the parent reads nothing. */
        if (report[1] > 3) syscall(SYS_close_range, 3, report[1] - 1, 0);
        syscall(SYS_close_range, report[1] + 1, ~0U, 0);
        execve(path, argv, envp);
        sl_fail(report[1], SL_STAGE_EXEC);
    }
    close(report[1]);
    struct sl_failure failure = {SL_STAGE_NONE, 0};
    ssize_t count;
    do {
        count = read(report[0], &failure, sizeof failure);
    } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof failure) {
        /* The child has exited (status 127); reap it so it does not linger as a zombie. */
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        *failed_stage = failure.stage;
        *failed_errno = failure.error;
        return -1;
    }
    return pid;
}

int sl_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int sl_pidfd_reap(int pidfd, int *exit_code, int *signal_number) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int result;
    do {
        result = waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result < 0) return -1;
    if (info.si_pid == 0) return 1; /* not yet */
    *exit_code = -1;
    *signal_number = 0;
    if (info.si_code == CLD_EXITED) {
        *exit_code = info.si_status;
    } else {
        *signal_number = info.si_status;
    }
    return 0;
}

int sl_epoll_add(int epoll_fd, int descriptor, unsigned long long key) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = EPOLLIN;
    event.data.u64 = key;
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, descriptor, &event);
}

int sl_epoll_remove(int epoll_fd, int descriptor) { return epoll_ctl(epoll_fd, EPOLL_CTL_DEL, descriptor, NULL); }

int sl_epoll_wait(int epoll_fd, unsigned long long *keys, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count;
    do {
        count = epoll_wait(epoll_fd, events, capacity, timeout_ms);
    } while (count < 0 && errno == EINTR);
    for (int index = 0; index < count; index++) keys[index] = events[index].data.u64;
    return count;
}

int sl_pipe(int descriptors[2]) { return pipe2(descriptors, O_CLOEXEC); }

int sl_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
