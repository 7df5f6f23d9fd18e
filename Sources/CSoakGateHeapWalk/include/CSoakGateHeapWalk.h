#ifndef CSOAKGATE_HEAP_WALK_H
#define CSOAKGATE_HEAP_WALK_H

#include <stddef.h>
#include <stdint.h>

// The live-block table of a profiled run ("who holds it"). When the process starts with
// SOAKGATE_HEAP_WALK=1 in its environment, a constructor installs jemalloc's allocation hooks
// (experimental.hooks.install) and every block allocated from then on is recorded with its usable
// size, until it is freed. The table lives in mmap'd memory: it never allocates from the heap it
// describes. Never on in a measuring run: the hooks cost time on every allocation.

/// 1 when the hooks are installed and recording, else 0.
int soakgate_heap_walk_active(void);

/// Why the hooks are not installed (a static string), or NULL.
const char *soakgate_heap_walk_failure(void);

/// While set (non-zero), blocks this thread allocates are not recorded: the walk's own buffers.
/// Blocks allocated meanwhile and still alive later stay invisible to every later walk.
void soakgate_heap_walk_ignore_this_thread(int ignore);

/// Blocks recorded now.
size_t soakgate_heap_walk_count(void);

/// Copies up to `capacity` live blocks as (address, usable size) pairs into `pairs` (2 words per
/// block), holding the table's lock, and returns how many were copied. Blocks inside
/// [exclude, exclude + excludeLength) are left out (the caller's own buffer).
size_t soakgate_heap_walk_copy(uintptr_t *pairs, size_t capacity, uintptr_t exclude, size_t excludeLength);

/// One writable segment of a loaded image (.data, .bss, relro): its address range, the image's
/// load bias, and the image's path (static storage owned by the dynamic linker).
typedef struct {
    uintptr_t start;
    uintptr_t end;
    uintptr_t bias;
    const char *path;
} soakgate_segment;

/// Writes up to `capacity` writable segments of every loaded image; returns how many exist.
size_t soakgate_heap_walk_segments(soakgate_segment *segments, size_t capacity);

/// The dynamic symbol containing `address` and its start, through dladdr; 0 when none.
int soakgate_heap_walk_symbol(uintptr_t address, char *name, size_t capacity, uintptr_t *symbolStart);

/// The current stack pointer (roughly: the address of a local of this function's caller frame).
uintptr_t soakgate_heap_walk_stack_pointer(void);

#endif
