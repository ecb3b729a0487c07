#include "CSuperlearner.h"

// Declared by the Swift concurrency runtime (swift/Runtime/Concurrency.h) as a function pointer with the
// Swift calling convention; only its address matters here, so it is read and written as a data pointer.
extern void *swift_task_enqueueGlobal_hook;

int sl_install_enqueue_global_hook(const void *hook) {
    void *expected = 0;
    return __atomic_compare_exchange_n(&swift_task_enqueueGlobal_hook, &expected, (void *)hook, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
