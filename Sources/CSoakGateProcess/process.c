#include "CSoakGateProcess.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_terminate(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

int soakgate_parent_alive(pid_t expected_parent) {
    // An orphan is re-parented (to init or a subreaper), so its parent id changes.
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
