/*
 * The load of the scale and bigmem cases, spawned and held by one small process
 * (bench/lib/forker.js drives it): forking 10,000 sleepers from Node one by one is
 * slow, and 25 processes that each map 4 GiB are easiest set up around one memfd.
 *
 * It ends exactly the children it forked and nothing else. It never reaps a child
 * before it has ended it, so the pids it holds cannot be reused by another process
 * meanwhile (a child that died on its own stays a zombie under it). On EOF on stdin,
 * or on SIGTERM, SIGINT or SIGHUP, it SIGKILLs each child by pid, waits for each,
 * prints "stopped N" and exits 0. Its children get SIGKILL when it dies
 * (PR_SET_PDEATHSIG), and it gets SIGTERM when its parent dies, so a SIGKILLed
 * benchmark leaves nothing behind either.
 *
 *   forker sleep SECONDS   reads counts from stdin, one per line; for each, forks that
 *                          many more children that exec `sleep SECONDS`, prints
 *                          "pid P" for each, then "spawned TOTAL"
 *   forker memfd BYTES N   creates a memfd of BYTES and allocates it (fallocate), then
 *                          forks N children that each mmap all of it MAP_SHARED and
 *                          write one byte to every page, then idle; prints "pid P" as
 *                          each one is done, then "ready N"
 *
 * Errors are printed as "error ..." lines; it then waits to be told to stop.
 * Built by the benchmark (bench/lib/cbuild.js: cc -O2 into bench/out/, gitignored).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t *kids;
static size_t nkids, capkids;
static sigset_t oldmask; /* restored in children: they must not inherit the blocked signals */
static pid_t self;

static void hold(pid_t pid) {
  if (nkids == capkids) {
    capkids = capkids ? capkids * 2 : 1024;
    kids = realloc(kids, capkids * sizeof *kids);
    if (!kids) {
      perror("realloc");
      exit(1); /* the children die with us (PR_SET_PDEATHSIG) */
    }
  }
  kids[nkids++] = pid;
}

/*
 * In a fresh child: die with the forker, unblock signals, let go of the forker's
 * stdin and stdout pipes (so the benchmark sees them close with the forker).
 * Returns 0, or -1 if the forker is gone already.
 */
static int child_setup(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != self) return -1; /* it died before prctl took effect */
  sigprocmask(SIG_SETMASK, &oldmask, NULL);
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    if (null > 2) close(null);
  }
  return 0;
}

static void stop_all(void) {
  for (size_t i = 0; i < nkids; i++) kill(kids[i], SIGKILL);
  for (size_t i = 0; i < nkids; i++)
    while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR) {
    }
  printf("stopped %zu\n", nkids);
  fflush(stdout);
}

static void spawn_sleepers(long n, const char *seconds) {
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      printf("error fork: %s (after %zu children)\n", strerror(errno), nkids);
      break;
    }
    if (pid == 0) {
      if (child_setup() < 0) _exit(1);
      execlp("sleep", "sleep", seconds, (char *)NULL);
      _exit(127);
    }
    hold(pid);
    printf("pid %d\n", (int)pid);
  }
  printf("spawned %zu\n", nkids);
  fflush(stdout);
}

/* Child of memfd mode: map, touch every page, report on `ready`, idle until killed. */
static void mapper(int memfd, size_t bytes, int ready) {
  if (child_setup() < 0) _exit(1);
  prctl(PR_SET_NAME, "bench-memfd");
  /* MAP_POPULATE fills the page tables in one go; the loop then writes each page (no faults left). */
  volatile char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, memfd, 0);
  if (p == MAP_FAILED) _exit(2);
  close(memfd);
  long page = sysconf(_SC_PAGESIZE);
  for (size_t off = 0; off < bytes; off += (size_t)page) p[off] = 1;
  pid_t me = getpid();
  if (write(ready, &me, sizeof me) != sizeof me) _exit(3);
  close(ready);
  for (;;) pause();
}

/* Returns the read end of the pipe the mappers report on, or -1 (after printing an error). */
static int spawn_mappers(size_t bytes, long n) {
  int memfd = memfd_create("spmon-bench-bigmem", MFD_CLOEXEC);
  if (memfd < 0 || ftruncate(memfd, (off_t)bytes) < 0) {
    printf("error memfd: %s\n", strerror(errno));
    fflush(stdout);
    return -1;
  }
  int err = fallocate(memfd, 0, 0, (off_t)bytes); /* allocate once here, not in 25 racing children */
  if (err != 0) {
    printf("error fallocate: %s\n", strerror(errno));
    fflush(stdout);
    close(memfd);
    return -1;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    printf("error pipe: %s\n", strerror(errno));
    fflush(stdout);
    close(memfd);
    return -1;
  }
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      printf("error fork: %s (after %zu children)\n", strerror(errno), nkids);
      break;
    }
    if (pid == 0) {
      close(fds[0]);
      mapper(memfd, bytes, fds[1]);
    }
    hold(pid);
  }
  close(fds[1]);
  close(memfd); /* the mappings hold the memory now: it goes with the last child */
  fflush(stdout);
  return fds[0];
}

int main(int argc, char **argv) {
  int sleep_mode = argc == 3 && strcmp(argv[1], "sleep") == 0;
  int memfd_mode = argc == 4 && strcmp(argv[1], "memfd") == 0;
  if (!sleep_mode && !memfd_mode) {
    fprintf(stderr, "usage: forker sleep SECONDS | forker memfd BYTES N\n");
    return 2;
  }
  self = getpid();
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, &oldmask);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (sfd < 0 || getppid() == 1) return 1;

  int ready = -1;
  long want = 0, got = 0;
  if (memfd_mode) {
    want = strtol(argv[3], NULL, 10);
    ready = spawn_mappers((size_t)strtoull(argv[2], NULL, 10), want);
  }

  char line[64];
  size_t len = 0;
  for (;;) {
    struct pollfd pf[3] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}, {ready, POLLIN, 0}};
    if (poll(pf, ready >= 0 ? 3 : 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pf[1].revents) break; /* a stop signal */
    if (ready >= 0 && pf[2].revents) {
      pid_t pid;
      ssize_t n = read(ready, &pid, sizeof pid);
      if (n == sizeof pid) {
        printf("pid %d\n", (int)pid);
        if (++got == want) printf("ready %ld\n", got);
      } else {
        /* every writer is gone: a mapper failed before reporting */
        if (got < want) printf("error %ld of %ld mappers did not report (mmap failed? exit status in the zombie)\n", want - got, want);
        close(ready);
        ready = -1;
      }
      fflush(stdout);
    }
    if (pf[0].revents) {
      char c;
      ssize_t n = read(0, &c, 1);
      if (n <= 0) break; /* EOF: the benchmark is done with us */
      if (c != '\n') {
        if (len < sizeof line - 1) line[len++] = c;
        continue;
      }
      line[len] = 0;
      len = 0;
      if (sleep_mode) spawn_sleepers(strtol(line, NULL, 10), argv[2]);
    }
  }
  stop_all();
  return 0;
}
