#include "CSoakGateTCacheOff.h"

// jemalloc reads this symbol at start-up (see "malloc_conf" in jemalloc(3)). Environment
// MALLOC_CONF is applied after it and can add options, e.g. profiling.
const char *malloc_conf = "tcache:false";

const char *soakgate_compiled_malloc_conf(void) { return malloc_conf; }
