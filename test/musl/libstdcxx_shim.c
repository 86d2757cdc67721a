/*
 * A stand-in libstdc++.so.6 for the musl build of Bun (@oven/bun-linux-x64-musl), test only.
 *
 * That Bun is linked against Alpine's libstdc++, which Debian has no musl build of. It uses a
 * few dozen symbols from it: red-black tree and list helpers, the hashtable's prime policy,
 * std::condition_variable, call_once, static-init guards, steady_clock, the type_info vtables and
 * the __throw_* functions. This file gives those, in C on top of musl, with libstdc++'s ABI
 * (layouts and mangled names). What Bun reaches only on a failure path (throwing, demangling,
 * dynamic_cast) prints what was called and aborts: the test then fails and names it.
 *
 * Built by test/prebuilds.test.ts with musl-gcc (Debian's musl-tools):
 *   musl-gcc -shared -fPIC -O2 -o libstdc++.so.6 libstdcxx_shim.c
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MANGLED(name) __asm__(name)

static void die(const char *what, const char *detail) {
  fprintf(stderr, "libstdc++ shim: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

/* ---- failures: throw helpers, terminate, pure virtual, RTTI --------------------------------- */

void throw_length_error(const char *s) MANGLED("_ZSt20__throw_length_errorPKc");
void throw_length_error(const char *s) { die("std::length_error", s); }
void throw_logic_error(const char *s) MANGLED("_ZSt19__throw_logic_errorPKc");
void throw_logic_error(const char *s) { die("std::logic_error", s); }
void throw_out_of_range_fmt(const char *s, ...) MANGLED("_ZSt24__throw_out_of_range_fmtPKcz");
void throw_out_of_range_fmt(const char *s, ...) { die("std::out_of_range", s); }
void throw_bad_alloc(void) MANGLED("_ZSt17__throw_bad_allocv");
void throw_bad_alloc(void) { die("std::bad_alloc", NULL); }
void throw_bad_array_new_length(void) MANGLED("_ZSt28__throw_bad_array_new_lengthv");
void throw_bad_array_new_length(void) { die("std::bad_array_new_length", NULL); }
void throw_system_error(int e) MANGLED("_ZSt20__throw_system_errori");
void throw_system_error(int e) { die("std::system_error", strerror(e)); }
void throw_bad_function_call(void) MANGLED("_ZSt25__throw_bad_function_callv");
void throw_bad_function_call(void) { die("std::bad_function_call", NULL); }
void glibcxx_assert_fail(const char *file, int line, const char *fn, const char *cond)
    MANGLED("_ZSt21__glibcxx_assert_failPKciS0_S0_");
void glibcxx_assert_fail(const char *file, int line, const char *fn, const char *cond) {
  (void)file, (void)line, (void)fn;
  die("assertion failed", cond);
}

typedef void (*handler_fn)(void);
static handler_fn terminate_handler;
handler_fn set_terminate(handler_fn h) MANGLED("_ZSt13set_terminatePFvvE");
handler_fn set_terminate(handler_fn h) {
  handler_fn old = terminate_handler;
  terminate_handler = h;
  return old;
}
void terminate(void) MANGLED("_ZSt9terminatev");
void terminate(void) {
  if (terminate_handler) terminate_handler();
  abort();
}
handler_fn get_new_handler(void) MANGLED("_ZSt15get_new_handlerv");
handler_fn get_new_handler(void) { return NULL; }

void __cxa_pure_virtual(void) { die("pure virtual function called", NULL); }
void __cxa_bad_typeid(void) { die("std::bad_typeid", NULL); }
void *__dynamic_cast(const void *src, const void *src_type, const void *dst_type, ptrdiff_t hint) {
  (void)src, (void)src_type, (void)dst_type, (void)hint;
  die("__dynamic_cast is not implemented", NULL);
  return NULL;
}
char *__cxa_demangle(const char *mangled, char *buf, size_t *n, int *status) {
  (void)mangled, (void)buf, (void)n;
  if (status) *status = -2; /* "not a valid mangled name": callers then print the raw name */
  return NULL;
}

/* The executable copies these (R_X86_64_COPY) at their size in libstdc++: 11 slots. */
static void type_info_slot(void) { die("type_info virtual call", NULL); }
#define TYPE_INFO_VTABLE(sym)                                                                   \
  void *const sym[11] = {0, 0, (void *)type_info_slot, (void *)type_info_slot, (void *)type_info_slot, \
                         (void *)type_info_slot, (void *)type_info_slot, (void *)type_info_slot,    \
                         (void *)type_info_slot, (void *)type_info_slot, (void *)type_info_slot}
TYPE_INFO_VTABLE(_ZTVN10__cxxabiv117__class_type_infoE);
TYPE_INFO_VTABLE(_ZTVN10__cxxabiv120__si_class_type_infoE);
TYPE_INFO_VTABLE(_ZTVN10__cxxabiv121__vmi_class_type_infoE);

/* ---- static-init guards and call_once ------------------------------------------------------- */

static pthread_mutex_t guard_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t guard_cond = PTHREAD_COND_INITIALIZER;

/* Byte 0: initialised. Byte 1: an initialisation is in progress. */
int __cxa_guard_acquire(uint64_t *g) {
  volatile unsigned char *b = (volatile unsigned char *)g;
  if (__atomic_load_n(&b[0], __ATOMIC_ACQUIRE)) return 0;
  pthread_mutex_lock(&guard_mutex);
  while (b[1]) pthread_cond_wait(&guard_cond, &guard_mutex);
  int run = !b[0];
  if (run) b[1] = 1;
  pthread_mutex_unlock(&guard_mutex);
  return run;
}
static void guard_finish(uint64_t *g, int done) {
  volatile unsigned char *b = (volatile unsigned char *)g;
  pthread_mutex_lock(&guard_mutex);
  b[1] = 0;
  if (done) __atomic_store_n(&b[0], 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&guard_cond);
  pthread_mutex_unlock(&guard_mutex);
}
void __cxa_guard_release(uint64_t *g) { guard_finish(g, 1); }
void __cxa_guard_abort(uint64_t *g) { guard_finish(g, 0); }

/* std::call_once stores the callable in these thread-locals, then pthread_once(__once_proxy). */
__thread void *once_callable MANGLED("_ZSt15__once_callable");
__thread void (*once_call)(void) MANGLED("_ZSt11__once_call");
void __once_proxy(void) { once_call(); }

/* ---- std::condition_variable (a pthread_cond_t) and steady_clock ----------------------------- */

struct unique_lock {
  pthread_mutex_t *mutex;
  _Bool owns;
};
void cv_ctor(pthread_cond_t *cv) MANGLED("_ZNSt18condition_variableC1Ev");
void cv_ctor(pthread_cond_t *cv) { pthread_cond_init(cv, NULL); }
void cv_dtor(pthread_cond_t *cv) MANGLED("_ZNSt18condition_variableD1Ev");
void cv_dtor(pthread_cond_t *cv) { pthread_cond_destroy(cv); }
void cv_wait(pthread_cond_t *cv, struct unique_lock *lock) MANGLED("_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE");
void cv_wait(pthread_cond_t *cv, struct unique_lock *lock) {
  if (pthread_cond_wait(cv, lock->mutex)) abort();
}
void cv_notify_one(pthread_cond_t *cv) MANGLED("_ZNSt18condition_variable10notify_oneEv");
void cv_notify_one(pthread_cond_t *cv) { pthread_cond_signal(cv); }
void cv_notify_all(pthread_cond_t *cv) MANGLED("_ZNSt18condition_variable10notify_allEv");
void cv_notify_all(pthread_cond_t *cv) { pthread_cond_broadcast(cv); }

int64_t steady_now(void) MANGLED("_ZNSt6chrono3_V212steady_clock3nowEv");
int64_t steady_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- std::hash of bytes, and the unordered containers' bucket policy ------------------------- */

size_t hash_bytes(const void *p, size_t len, size_t seed) MANGLED("_ZSt11_Hash_bytesPKvmm");
size_t hash_bytes(const void *p, size_t len, size_t seed) {
  /* FNV-1a, seeded; any good hash will do, it never leaves the process. */
  const unsigned char *s = p;
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (size_t i = 0; i < len; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
  return h ^ (h >> 29);
}

struct prime_rehash_policy {
  float max_load_factor;
  size_t next_resize;
};
struct need_rehash {
  _Bool rehash;
  size_t buckets;
};
static int is_prime(size_t n) {
  if (n < 2) return 0;
  for (size_t d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}
size_t next_bkt(struct prime_rehash_policy *p, size_t n) MANGLED("_ZNKSt8__detail20_Prime_rehash_policy11_M_next_bktEm");
size_t next_bkt(struct prime_rehash_policy *p, size_t n) {
  if (n == 0) return 1;
  size_t b = n < 2 ? 2 : n;
  while (!is_prime(b)) b++;
  double resize = (double)b * p->max_load_factor;
  p->next_resize = resize >= (double)SIZE_MAX ? SIZE_MAX : (size_t)resize;
  return b;
}
struct need_rehash need_rehash(struct prime_rehash_policy *p, size_t n_bkt, size_t n_elt, size_t n_ins)
    MANGLED("_ZNKSt8__detail20_Prime_rehash_policy14_M_need_rehashEmmm");
struct need_rehash need_rehash(struct prime_rehash_policy *p, size_t n_bkt, size_t n_elt, size_t n_ins) {
  struct need_rehash r = {0, 0};
  if (n_elt + n_ins <= p->next_resize) return r;
  size_t want = n_elt + n_ins;
  if (!p->next_resize && want < 11) want = 11;
  double min_bkts = (double)want / p->max_load_factor;
  if (min_bkts >= (double)n_bkt) {
    size_t grow = (size_t)min_bkts + 1;
    if (grow < n_bkt * 2) grow = n_bkt * 2;
    r.rehash = 1;
    r.buckets = next_bkt(p, grow);
    return r;
  }
  p->next_resize = (size_t)((double)n_bkt * p->max_load_factor);
  return r;
}

/* ---- std::list node links ------------------------------------------------------------------- */

struct list_node {
  struct list_node *next, *prev;
};
void list_hook(struct list_node *self, struct list_node *pos) MANGLED("_ZNSt8__detail15_List_node_base7_M_hookEPS0_");
void list_hook(struct list_node *self, struct list_node *pos) {
  self->next = pos;
  self->prev = pos->prev;
  pos->prev->next = self;
  pos->prev = self;
}
void list_unhook(struct list_node *self) MANGLED("_ZNSt8__detail15_List_node_base9_M_unhookEv");
void list_unhook(struct list_node *self) {
  self->prev->next = self->next;
  self->next->prev = self->prev;
}

/* ---- std::map / std::set red-black tree ------------------------------------------------------
 * The header node: parent = root, left = leftmost, right = rightmost, colour red. */

enum { RED = 0, BLACK = 1 };
struct rb {
  int color;
  struct rb *parent, *left, *right;
};

struct rb *rb_increment(struct rb *x) MANGLED("_ZSt18_Rb_tree_incrementPSt18_Rb_tree_node_base");
struct rb *rb_increment(struct rb *x) {
  if (x->right) {
    x = x->right;
    while (x->left) x = x->left;
    return x;
  }
  struct rb *y = x->parent;
  while (x == y->right) {
    x = y;
    y = y->parent;
  }
  return x->right != y ? y : x;
}

struct rb *rb_decrement(struct rb *x) MANGLED("_ZSt18_Rb_tree_decrementPSt18_Rb_tree_node_base");
struct rb *rb_decrement(struct rb *x) {
  if (x->color == RED && x->parent->parent == x) return x->right; /* the header: go to the last */
  if (x->left) {
    struct rb *y = x->left;
    while (y->right) y = y->right;
    return y;
  }
  struct rb *y = x->parent;
  while (x == y->left) {
    x = y;
    y = y->parent;
  }
  return y;
}

static void rotate_left(struct rb *x, struct rb **root) {
  struct rb *y = x->right;
  x->right = y->left;
  if (y->left) y->left->parent = x;
  y->parent = x->parent;
  if (x == *root) *root = y;
  else if (x == x->parent->left) x->parent->left = y;
  else x->parent->right = y;
  y->left = x;
  x->parent = y;
}

static void rotate_right(struct rb *x, struct rb **root) {
  struct rb *y = x->left;
  x->left = y->right;
  if (y->right) y->right->parent = x;
  y->parent = x->parent;
  if (x == *root) *root = y;
  else if (x == x->parent->right) x->parent->right = y;
  else x->parent->left = y;
  y->right = x;
  x->parent = y;
}

void rb_insert(_Bool left, struct rb *x, struct rb *p, struct rb *header)
    MANGLED("_ZSt29_Rb_tree_insert_and_rebalancebPSt18_Rb_tree_node_baseS0_RS_");
void rb_insert(_Bool left, struct rb *x, struct rb *p, struct rb *header) {
  struct rb **root = &header->parent;
  x->parent = p;
  x->left = x->right = NULL;
  x->color = RED;
  if (left) {
    p->left = x; /* also makes leftmost = x when p == header */
    if (p == header) {
      header->parent = x;
      header->right = x;
    } else if (p == header->left) {
      header->left = x;
    }
  } else {
    p->right = x;
    if (p == header->right) header->right = x;
  }
  while (x != *root && x->parent->color == RED) {
    struct rb *xpp = x->parent->parent;
    if (x->parent == xpp->left) {
      struct rb *y = xpp->right;
      if (y && y->color == RED) {
        x->parent->color = BLACK;
        y->color = BLACK;
        xpp->color = RED;
        x = xpp;
      } else {
        if (x == x->parent->right) {
          x = x->parent;
          rotate_left(x, root);
        }
        x->parent->color = BLACK;
        xpp->color = RED;
        rotate_right(xpp, root);
      }
    } else {
      struct rb *y = xpp->left;
      if (y && y->color == RED) {
        x->parent->color = BLACK;
        y->color = BLACK;
        xpp->color = RED;
        x = xpp;
      } else {
        if (x == x->parent->left) {
          x = x->parent;
          rotate_right(x, root);
        }
        x->parent->color = BLACK;
        xpp->color = RED;
        rotate_left(xpp, root);
      }
    }
  }
  (*root)->color = BLACK;
}

struct rb *rb_erase(struct rb *z, struct rb *header) MANGLED("_ZSt28_Rb_tree_rebalance_for_erasePSt18_Rb_tree_node_baseRS_");
struct rb *rb_erase(struct rb *z, struct rb *header) {
  struct rb **root = &header->parent, **leftmost = &header->left, **rightmost = &header->right;
  struct rb *y = z, *x, *x_parent;
  if (!y->left) {
    x = y->right;
  } else if (!y->right) {
    x = y->left;
  } else {
    y = y->right;
    while (y->left) y = y->left;
    x = y->right;
  }
  if (y != z) { /* z has two children: y, its successor, takes its place */
    z->left->parent = y;
    y->left = z->left;
    if (y != z->right) {
      x_parent = y->parent;
      if (x) x->parent = y->parent;
      y->parent->left = x;
      y->right = z->right;
      z->right->parent = y;
    } else {
      x_parent = y;
    }
    if (*root == z) *root = y;
    else if (z->parent->left == z) z->parent->left = y;
    else z->parent->right = y;
    y->parent = z->parent;
    int c = y->color;
    y->color = z->color;
    z->color = c;
    y = z;
  } else {
    x_parent = y->parent;
    if (x) x->parent = y->parent;
    if (*root == z) *root = x;
    else if (z->parent->left == z) z->parent->left = x;
    else z->parent->right = x;
    if (*leftmost == z) {
      if (!z->right) {
        *leftmost = z->parent;
      } else {
        struct rb *m = x;
        while (m->left) m = m->left;
        *leftmost = m;
      }
    }
    if (*rightmost == z) {
      if (!z->left) {
        *rightmost = z->parent;
      } else {
        struct rb *m = x;
        while (m->right) m = m->right;
        *rightmost = m;
      }
    }
  }
  if (y->color != RED) {
    while (x != *root && (!x || x->color == BLACK)) {
      if (x == x_parent->left) {
        struct rb *w = x_parent->right;
        if (w->color == RED) {
          w->color = BLACK;
          x_parent->color = RED;
          rotate_left(x_parent, root);
          w = x_parent->right;
        }
        if ((!w->left || w->left->color == BLACK) && (!w->right || w->right->color == BLACK)) {
          w->color = RED;
          x = x_parent;
          x_parent = x_parent->parent;
        } else {
          if (!w->right || w->right->color == BLACK) {
            w->left->color = BLACK;
            w->color = RED;
            rotate_right(w, root);
            w = x_parent->right;
          }
          w->color = x_parent->color;
          x_parent->color = BLACK;
          if (w->right) w->right->color = BLACK;
          rotate_left(x_parent, root);
          break;
        }
      } else {
        struct rb *w = x_parent->left;
        if (w->color == RED) {
          w->color = BLACK;
          x_parent->color = RED;
          rotate_right(x_parent, root);
          w = x_parent->left;
        }
        if ((!w->right || w->right->color == BLACK) && (!w->left || w->left->color == BLACK)) {
          w->color = RED;
          x = x_parent;
          x_parent = x_parent->parent;
        } else {
          if (!w->left || w->left->color == BLACK) {
            w->right->color = BLACK;
            w->color = RED;
            rotate_left(w, root);
            w = x_parent->left;
          }
          w->color = x_parent->color;
          x_parent->color = BLACK;
          if (w->left) w->left->color = BLACK;
          rotate_right(x_parent, root);
          break;
        }
      }
    }
    if (x) x->color = BLACK;
  }
  return y;
}
