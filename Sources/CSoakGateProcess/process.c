#define _GNU_SOURCE
#include "CSoakGateProcess.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static volatile sig_atomic_t stop_requested = 0;

static void on_terminate(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

int soakgate_parent_alive(pid_t expected_parent) {
    // An orphan is re-parented (to init or a subreaper), so its parent id changes.
    return getppid() == expected_parent;
}

int soakgate_die_with_parent(pid_t expected_parent) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
#endif
    // The parent may have died between fork and the prctl: then no signal will come.
    return getppid() == expected_parent;
}

void soakgate_install_stop_handler(void) {
    signal(SIGINT, SIG_IGN);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_terminate;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
}

int soakgate_stop_requested(void) {
    return stop_requested;
}

int soakgate_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, int error_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, error_fd, 2);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}

int soakgate_pipe(int descriptors[2]) {
    return pipe2(descriptors, O_CLOEXEC) == 0 ? 0 : errno;
}

int soakgate_wait(pid_t pid, int *status) {
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

int soakgate_exit_status(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int soakgate_term_signal(int status) {
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}
