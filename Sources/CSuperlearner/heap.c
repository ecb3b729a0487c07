#include "CSuperlearner.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

size_t sl_heap_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

int sl_tune_allocator(int top_pad, int trim_threshold, int mmap_threshold) {
#if defined(__GLIBC__)
    return mallopt(M_TOP_PAD, top_pad) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1 &&
           mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1;
#else
    (void)top_pad; (void)trim_threshold; (void)mmap_threshold;
    return 0;
#endif
}

int sl_release_free_memory(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
