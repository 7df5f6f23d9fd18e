#ifndef SOAKGATE_CJEMALLOC_SHIM_H
#define SOAKGATE_CJEMALLOC_SHIM_H
// Debian's libjemalloc-dev installs unprefixed symbols (mallctl, malloc_usable_size), so
// linking it replaces malloc for the whole process.
#include <jemalloc/jemalloc.h>
#endif
