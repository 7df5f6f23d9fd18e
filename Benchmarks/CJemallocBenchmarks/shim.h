#ifndef SOAKGATE_CJEMALLOC_BENCHMARKS_SHIM_H
#define SOAKGATE_CJEMALLOC_BENCHMARKS_SHIM_H
// jemalloc's own API for the benchmark's peer (mallctl by name). A module of its own: the
// harness's CJemalloc is not a product, so a package beside it cannot import it.
#include <jemalloc/jemalloc.h>
#endif
