#ifndef CSOAKGATEPROCESS_H
#define CSOAKGATEPROCESS_H

#include <sys/types.h>

/// Whether `expected_parent` is still this process's parent.
int soakgate_parent_alive(pid_t expected_parent);

/// Asks the kernel to SIGKILL this process when the thread that started it ends, then checks
/// that `expected_parent` is still the parent (it may have died before the request). Returns 1
/// when the parent is alive and the request stands, 0 when the parent is already gone.
/// The parent must start the child from a thread that lives as long as the child (see
/// soakgate_spawn): PR_SET_PDEATHSIG fires when the spawning *thread* ends.
int soakgate_die_with_parent(pid_t expected_parent);

/// Ignores SIGINT (a terminal's Ctrl-C reaches the whole process group; the parent decides)
/// and makes SIGTERM set a flag instead of ending the process.
void soakgate_install_stop_handler(void);

/// Whether SIGTERM has arrived since soakgate_install_stop_handler.
int soakgate_stop_requested(void);

/// Starts `path` with `argv` and `envp` (NULL-terminated) in a new process group of its own
/// (its pid is the group's id, so kill(-pid, ...) reaches its children too), standard input
/// from /dev/null, standard output to `output_fd` and standard error to `error_fd`, default signal
/// dispositions and an empty signal mask. Returns 0 and the pid in `*pid`, or an errno value.
int soakgate_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, int error_fd, pid_t *pid);

/// A pipe whose both ends close on exec (so no other child inherits them). Returns 0 or an errno value.
int soakgate_pipe(int descriptors[2]);

/// Waits for `pid`, retrying after signals. Returns 0 with the raw wait status in `*status`,
/// or an errno value.
int soakgate_wait(pid_t pid, int *status);

/// Decodes a wait status: exit code (or -1), terminating signal (or 0).
int soakgate_exit_status(int status);
int soakgate_term_signal(int status);

#endif
