#ifndef SOAKGATE_TCACHE_OFF_H
#define SOAKGATE_TCACHE_OFF_H
/// Linking this target sets jemalloc's start-up options for the whole process: the thread
/// cache is off, so stats.allocated is exact across threads. The value is read once, before
/// main, by jemalloc itself.
extern const char *malloc_conf;
/// Returns the compiled-in options, so that a linker cannot drop this object as unused.
const char *soakgate_compiled_malloc_conf(void);
#endif
