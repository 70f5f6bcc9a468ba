// Ctrl-C handling for long campaigns: the first SIGINT asks the campaign loop to stop after the
// current injection (so it can restore the weight and print the summary so far); a second one
// exits at once.
#include "CSupport.h"
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t requested = 0;

static void on_signal(int sig) {
    if (requested) _exit(128 + sig);
    requested = sig;
}

void seu_install_interrupt_handler(void) {
    struct sigaction action;
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, 0);
    sigaction(SIGTERM, &action, 0);
}

int seu_interrupt_requested(void) { return requested != 0; }
int seu_interrupt_signal(void) { return requested; }
int seu_isatty(int fd) { return isatty(fd); }
