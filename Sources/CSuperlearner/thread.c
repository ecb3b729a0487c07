#include "CSuperlearner.h"
#if defined(__linux__)
#include <string.h>
#include <sys/prctl.h>
#endif

void sl_name_current_thread(const char *name) {
#if defined(__linux__)
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    prctl(PR_SET_NAME, truncated, 0, 0, 0);
#else
    (void)name;
#endif
}
