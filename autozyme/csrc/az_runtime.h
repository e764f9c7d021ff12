/* What every core routine shares: result codes, cooperative cancellation and
 * the prefetch hint. */
#ifndef AZ_RUNTIME_H
#define AZ_RUNTIME_H

#include <stdint.h>

/* Every core routine returns one of these; on AZ_ENOMEM or AZ_EINTR it has
 * freed what it allocated. */
enum { AZ_OK = 0, AZ_ENOMEM = 1, AZ_EINTR = 2 };

/* Cooperative cancellation: check() (the binding's signal check) runs every
 * 2^14 ticks; nonzero aborts the run. */
typedef struct {
    int (*check)(void *ctx);
    void *ctx;
    uint32_t counter;
} az_interrupt;

/* One unit of work (a vertex visit) done: nonzero when the run must stop, and
 * the caller then returns AZ_EINTR. */
static inline int az_interrupt_tick(az_interrupt *intr) {
    if (++intr->counter < (1u << 14)) return 0;
    intr->counter = 0;
    return intr->check && intr->check(intr->ctx);
}

#if defined(__GNUC__) || defined(__clang__)
#define AZ_PREFETCH(addr) __builtin_prefetch(addr)
#else
#define AZ_PREFETCH(addr) ((void)0)
#endif

#endif
