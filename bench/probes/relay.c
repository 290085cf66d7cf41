/*
 * relay.c: a relay between two pipes, as pipe's `ordered` output is, and
 * nothing else: splice(2) from stdin to stdout, with both pipes asked for
 * SIZE bytes (0: left at the default). docs/benchmarks.md compares
 * `head -c 1G /dev/zero | relay SIZE | cat > /dev/null` with the direct
 * pipe and with pipe's ordered_1g.
 *
 *   cc -O2 -o /tmp/relay bench/probes/relay.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int sz = atoi(argv[1]);
  if (sz) { fcntl(0, F_SETPIPE_SZ, sz); fcntl(1, F_SETPIPE_SZ, sz); }
  for (;;) { ssize_t n = splice(0, 0, 1, 0, 1<<20, SPLICE_F_MOVE); if (n <= 0) return n < 0; }
}
