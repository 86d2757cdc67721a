/*
 * The C floor of issue 6: a bare loop that opens and reads stat, statm, status, io,
 * cmdline and smaps_rollup once for every process under /proc. No parsing beyond
 * finding the pids (names that are all digits). Each pid's directory is opened once and
 * the six files are opened relative to it (openat), as the addon does, so what is left
 * is the kernel's work of producing the files plus the fewest syscalls that get it:
 * openat, read until EOF into one static buffer, close.
 *
 * Built by the benchmark (bench/lib/floor.js: cc -O2 into bench/out/, gitignored).
 *
 *   floor [PASSES] [PROC_ROOT]      default 1 pass over /proc
 *
 * Prints one line per pass, numbers only, times in nanoseconds:
 *   pass <i> pids <n> files <opened> bytes <read> cpu_ns <process CPU> wall_ns <monotonic>
 * Exit status 0, or 2 on bad arguments / when PROC_ROOT cannot be opened.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *const FILES[] = {"stat", "statm", "status", "io", "cmdline", "smaps_rollup"};
#define NFILES (sizeof FILES / sizeof FILES[0])

static char buf[64 * 1024];

static long long now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int all_digits(const char *s) {
  if (*s < '1' || *s > '9') return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

int main(int argc, char **argv) {
  long passes = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
  const char *root = argc > 2 ? argv[2] : "/proc";
  if (passes < 1 || argc > 3) {
    fprintf(stderr, "usage: floor [PASSES] [PROC_ROOT]\n");
    return 2;
  }
  for (long pass = 1; pass <= passes; pass++) {
    long long cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long wall0 = now_ns(CLOCK_MONOTONIC);
    long pids = 0, files = 0;
    long long bytes = 0;
    DIR *d = opendir(root);
    if (!d) {
      perror(root);
      return 2;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (!all_digits(e->d_name)) continue;
      int dfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0) continue; /* gone meanwhile */
      pids++;
      for (size_t i = 0; i < NFILES; i++) {
        int fd = openat(dfd, FILES[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue; /* not ours to read, or gone */
        files++;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) bytes += n;
        close(fd);
      }
      close(dfd);
    }
    closedir(d);
    long long cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    long long wall = now_ns(CLOCK_MONOTONIC) - wall0;
    printf("pass %ld pids %ld files %ld bytes %lld cpu_ns %lld wall_ns %lld\n", pass, pids, files, bytes, cpu, wall);
  }
  return 0;
}
