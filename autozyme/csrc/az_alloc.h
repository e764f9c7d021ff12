/* Allocation shared by the cores: malloc / calloc of count * size bytes that
 * fail cleanly on overflow and succeed for zero-sized requests. Release with
 * free().
 *
 * No transparent huge pages: measured on first calls in fresh processes (the
 * common case), the kernel's compaction for them costs more than the page faults
 * they save (igraph flavor, 200k cells: 1.05 s against 0.79 s; leidenalg flavor,
 * 200k cells: 3.86 s against 3.29 s). */
#ifndef AZ_ALLOC_H
#define AZ_ALLOC_H

#include <stdint.h>
#include <stdlib.h>

static inline void *az_malloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return malloc(count && size ? count * size : 1);
}

static inline void *az_calloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return count && size ? calloc(count, size) : calloc(1, 1);
}

#endif
