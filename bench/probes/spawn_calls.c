/*
 * spawn_calls.c: what the system calls of a start cost, without pipe.
 *
 * Starts /bin/true N times, one after the other, making the system calls
 * dash makes for each ("d") or those pipe makes ("p": its own process
 * group, the stack limit given back, PR_SET_PDEATHSIG and the getppid that
 * closes its race, an empty signal mask; in the parent a signalfd waited on
 * with epoll, a waitid that looks before reaping, and SIGTERM and SIGCONT
 * to what the command left in its group). Nothing else: no parsing, no
 * expansion, no bookkeeping. docs/benchmarks.md compares it with dash and
 * pipe running bench's seq1000.
 *
 *   cc -O2 -o /tmp/spawn_calls bench/probes/spawn_calls.c
 *   /tmp/spawn_calls 1000 d; /tmp/spawn_calls 1000 p
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
static void onchld(int s) { (void)s; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  char mode = argv[2][0];
  char *av[] = {"/bin/true", NULL};
  sigset_t empty, all, chld;
  sigemptyset(&empty); sigfillset(&all); sigemptyset(&chld); sigaddset(&chld, SIGCHLD);
  int sfd = -1, efd = -1;
  struct rlimit rl = {8192 * 1024, RLIM_INFINITY};
  if (mode == 'd') {
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = onchld; sigaction(SIGCHLD, &sa, 0);
  } else {
    sigset_t m; sigemptyset(&m); sigaddset(&m, SIGCHLD); sigaddset(&m, SIGINT); sigaddset(&m, SIGTERM);
    sigaddset(&m, SIGPIPE);
    sigprocmask(SIG_BLOCK, &m, NULL);
    sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    efd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 1};
    epoll_ctl(efd, EPOLL_CTL_ADD, sfd, &ev);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct rlimit big = {16 << 20, RLIM_INFINITY}; setrlimit(RLIMIT_STACK, &big);
  }
  for (int i = 0; i < n; i++) {
    pid_t p = vfork();
    if (p == 0) {
      if (mode == 'p') {
        setpgid(0, 0); setrlimit(RLIMIT_STACK, &rl); prctl(PR_SET_PDEATHSIG, SIGKILL); getppid();
      }
      sigprocmask(SIG_SETMASK, &empty, NULL);
      execve("/bin/true", av, environ);
      _exit(127);
    }
    int st;
    if (mode == 'd') {
      sigprocmask(SIG_SETMASK, &empty, NULL);
      wait4(-1, &st, 0, NULL);
      wait4(-1, &st, WNOHANG, NULL);
      sigprocmask(SIG_SETMASK, &all, NULL);
      sigprocmask(SIG_SETMASK, &empty, NULL);
    } else {
      siginfo_t si;
      memset(&si, 0, sizeof si);
      waitid(P_PID, p, &si, WNOHANG | WEXITED | WNOWAIT);
      struct epoll_event evs[64];
      if (epoll_wait(efd, evs, 64, 0) > 0) { char b[1024]; (void)!read(sfd, b, sizeof b); }
      for (;;) {
        memset(&si, 0, sizeof si);
        waitid(P_PID, p, &si, WNOHANG | WEXITED | WNOWAIT);
        if (si.si_pid == p) break;
        epoll_wait(efd, evs, 64, -1);
        char buf[1024]; (void)!read(sfd, buf, sizeof buf);
        waitid(P_PID, p, &si, WNOHANG | WEXITED | WNOWAIT);
        if (si.si_pid == p) break;
      }
      { char b[1024]; (void)!read(sfd, b, sizeof b); }
      kill(-p, SIGTERM); kill(-p, SIGCONT);
      wait4(p, &st, 0, NULL);
    }
  }
  return 0;
}
