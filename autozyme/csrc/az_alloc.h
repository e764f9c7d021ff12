/* Allocation shared by the cores. Every call works on tens of MB of fresh memory
 * read in random order; on Linux (transparent huge pages in "madvise" mode) blocks
 * from a core's threshold up are 2 MiB-aligned and advised as huge pages, which
 * saves page faults (~1.6 us each on our VM) and TLB misses. Results never depend
 * on it: the advice may fail or be ignored. Blocks are freed with free(). */
#ifndef AZ_ALLOC_H
#define AZ_ALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define AZ_HUGE_PAGE ((size_t)2 << 20)

/* count * size bytes (zero-sized requests succeed, overflow fails); huge pages
 * from huge_from bytes on */
static inline void *az_malloc(size_t count, size_t size, size_t huge_from) {
    size_t bytes;
    if (size != 0 && count > SIZE_MAX / size - AZ_HUGE_PAGE) return NULL;
    bytes = count ? count * size : 1;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= huge_from) {
        /* whole huge pages: THP needs the aligned 2 MiB range mapped */
        const size_t rounded = (bytes + AZ_HUGE_PAGE - 1) & ~(AZ_HUGE_PAGE - 1);
        void *p = NULL;
        if (posix_memalign(&p, AZ_HUGE_PAGE, rounded) != 0) return NULL;
        (void)madvise(p, rounded, MADV_HUGEPAGE);
        return p;
    }
#else
    (void)huge_from;
#endif
    return malloc(bytes);
}

/* az_malloc() zeroed; below the threshold calloc() keeps fresh pages untouched */
static inline void *az_calloc(size_t count, size_t size, size_t huge_from) {
    void *p;
    if (size != 0 && count > SIZE_MAX / size - AZ_HUGE_PAGE) return NULL;
    if ((count ? count * size : 1) < huge_from) return calloc(count ? count : 1, size ? size : 1);
    p = az_malloc(count, size, huge_from);
    if (p) memset(p, 0, count * size);
    return p;
}

#endif
