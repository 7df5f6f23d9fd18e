#ifndef CSOAKGATEPROCESS_H
#define CSOAKGATEPROCESS_H

#include <sys/types.h>

/// Whether `expected_parent` is still this process's parent. (PR_SET_PDEATHSIG would fire when
/// the parent's spawning *thread* ends, which in a Swift concurrency pool is any time.)
int soakgate_parent_alive(pid_t expected_parent);

/// Ignores SIGINT (a terminal's Ctrl-C reaches the whole process group; the parent decides)
/// and makes SIGTERM set a flag instead of ending the process.
void soakgate_install_stop_handler(void);

/// Whether SIGTERM has arrived since soakgate_install_stop_handler.
int soakgate_stop_requested(void);

#endif
