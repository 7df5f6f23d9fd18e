#define _GNU_SOURCE
#include "CSoakGateHeapWalk.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

// jemalloc 5's experimental hooks (include/jemalloc/internal/hook.h). They are not in the public
// header, so their shapes are restated here.
typedef void (*hook_alloc_fn)(void *extra, int type, void *result, uintptr_t result_raw, uintptr_t args_raw[3]);
typedef void (*hook_dalloc_fn)(void *extra, int type, void *address, uintptr_t args_raw[3]);
typedef void (*hook_expand_fn)(
    void *extra, int type, void *address, size_t old_usize, size_t new_usize, uintptr_t result_raw,
    uintptr_t args_raw[4]);
typedef struct {
    hook_alloc_fn alloc_hook;
    hook_dalloc_fn dalloc_hook;
    hook_expand_fn expand_hook;
    void *extra;
} soakgate_hooks;

extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
extern size_t malloc_usable_size(void *ptr);

// Open addressing with linear probing and backward-shift deletion; key 0 is empty.
typedef struct {
    uintptr_t address;
    uintptr_t size;
} slot;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static slot *table;
static size_t table_capacity; // a power of two
static size_t table_count;
static int active;
static const char *failure;
// Set while this thread walks the heap: the walk's own buffers are not the workload's.
static __thread int ignoring;

static size_t hash_of(uintptr_t address) {
    uint64_t x = (uint64_t)address >> 4;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 17);
}

static slot *allocate_slots(size_t capacity) {
    void *memory = mmap(NULL, capacity * sizeof(slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return memory == MAP_FAILED ? NULL : (slot *)memory;
}

static void put(slot *slots, size_t capacity, uintptr_t address, uintptr_t size) {
    size_t mask = capacity - 1;
    size_t index = hash_of(address) & mask;
    while (slots[index].address != 0 && slots[index].address != address) index = (index + 1) & mask;
    if (slots[index].address == 0) table_count += slots == table;
    slots[index].address = address;
    slots[index].size = size;
}

// Called with the lock held. Doubles the table when it is half full; on mmap failure recording
// stops (a partial table would give wrong answers, so the walk reports it).
static int grow_if_needed(void) {
    if (2 * (table_count + 1) <= table_capacity) return 1;
    size_t capacity = table_capacity * 2;
    slot *slots = allocate_slots(capacity);
    if (slots == NULL) {
        active = 0;
        failure = "the live-block table could not grow (mmap failed)";
        return 0;
    }
    for (size_t index = 0; index < table_capacity; index++) {
        if (table[index].address != 0) put(slots, capacity, table[index].address, table[index].size);
    }
    munmap(table, table_capacity * sizeof(slot));
    table = slots;
    table_capacity = capacity;
    return 1;
}

static void record(void *address) {
    if (address == NULL || ignoring) return;
    uintptr_t size = malloc_usable_size(address);
    pthread_mutex_lock(&table_lock);
    if (active && grow_if_needed()) put(table, table_capacity, (uintptr_t)address, size);
    pthread_mutex_unlock(&table_lock);
}

static void forget(void *address) {
    if (address == NULL) return;
    pthread_mutex_lock(&table_lock);
    if (active) {
        size_t mask = table_capacity - 1;
        size_t index = hash_of((uintptr_t)address) & mask;
        while (table[index].address != 0 && table[index].address != (uintptr_t)address) index = (index + 1) & mask;
        if (table[index].address != 0) {
            // Backward-shift deletion keeps every probe chain unbroken without tombstones.
            size_t hole = index;
            size_t next = (hole + 1) & mask;
            while (table[next].address != 0) {
                size_t home = hash_of(table[next].address) & mask;
                int movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
                if (movable) {
                    table[hole] = table[next];
                    hole = next;
                }
                next = (next + 1) & mask;
            }
            table[hole].address = 0;
            table[hole].size = 0;
            table_count--;
        }
    }
    pthread_mutex_unlock(&table_lock);
}

static void on_alloc(void *extra, int type, void *result, uintptr_t result_raw, uintptr_t args_raw[3]) {
    (void)extra, (void)type, (void)result_raw, (void)args_raw;
    record(result);
}

static void on_dalloc(void *extra, int type, void *address, uintptr_t args_raw[3]) {
    (void)extra, (void)type, (void)args_raw;
    forget(address);
}

static void on_expand(
    void *extra, int type, void *address, size_t old_usize, size_t new_usize, uintptr_t result_raw,
    uintptr_t args_raw[4]) {
    (void)extra, (void)type, (void)old_usize, (void)result_raw, (void)args_raw;
    if (address == NULL || ignoring) return;
    pthread_mutex_lock(&table_lock);
    if (active && grow_if_needed()) put(table, table_capacity, (uintptr_t)address, new_usize);
    pthread_mutex_unlock(&table_lock);
}

__attribute__((constructor)) static void soakgate_heap_walk_install(void) {
    const char *flag = getenv("SOAKGATE_HEAP_WALK");
    if (flag == NULL || strcmp(flag, "1") != 0) return;
    table_capacity = 1 << 16;
    table = allocate_slots(table_capacity);
    if (table == NULL) {
        failure = "the live-block table could not be mapped";
        return;
    }
    active = 1;
    static soakgate_hooks hooks = {on_alloc, on_dalloc, on_expand, NULL};
    void *handle = NULL;
    size_t length = sizeof(handle);
    if (mallctl("experimental.hooks.install", &handle, &length, &hooks, sizeof(hooks)) != 0) {
        active = 0;
        failure = "jemalloc refused experimental.hooks.install (needs jemalloc 5.1 or later)";
    }
}

void soakgate_heap_walk_ignore_this_thread(int ignore) { ignoring = ignore; }

int soakgate_heap_walk_active(void) {
    pthread_mutex_lock(&table_lock);
    int result = active;
    pthread_mutex_unlock(&table_lock);
    return result;
}

const char *soakgate_heap_walk_failure(void) {
    const char *flag = getenv("SOAKGATE_HEAP_WALK");
    if (failure == NULL && (flag == NULL || strcmp(flag, "1") != 0)) {
        return "the process was not started with SOAKGATE_HEAP_WALK=1";
    }
    return failure;
}

size_t soakgate_heap_walk_count(void) {
    pthread_mutex_lock(&table_lock);
    size_t result = table_count;
    pthread_mutex_unlock(&table_lock);
    return result;
}

size_t soakgate_heap_walk_copy(uintptr_t *pairs, size_t capacity, uintptr_t exclude, size_t excludeLength) {
    pthread_mutex_lock(&table_lock);
    size_t copied = 0;
    for (size_t index = 0; index < table_capacity && copied < capacity; index++) {
        uintptr_t address = table[index].address;
        if (address == 0 || (address >= exclude && address < exclude + excludeLength)) continue;
        pairs[2 * copied] = address;
        pairs[2 * copied + 1] = table[index].size;
        copied++;
    }
    pthread_mutex_unlock(&table_lock);
    return copied;
}

typedef struct {
    soakgate_segment *segments;
    size_t capacity;
    size_t count;
} segment_list;

static int add_segments(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    segment_list *list = (segment_list *)data;
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD || (header->p_flags & PF_W) == 0 || header->p_memsz == 0) continue;
        if (list->count < list->capacity) {
            uintptr_t start = info->dlpi_addr + header->p_vaddr;
            list->segments[list->count].start = start & ~(uintptr_t)7;
            list->segments[list->count].end = start + header->p_memsz;
            list->segments[list->count].bias = info->dlpi_addr;
            list->segments[list->count].path = info->dlpi_name;
        }
        list->count++;
    }
    return 0;
}

size_t soakgate_heap_walk_segments(soakgate_segment *segments, size_t capacity) {
    segment_list list = {segments, capacity, 0};
    dl_iterate_phdr(add_segments, &list);
    return list.count;
}

int soakgate_heap_walk_symbol(uintptr_t address, char *name, size_t capacity, uintptr_t *symbolStart) {
    Dl_info info;
    if (dladdr((void *)address, &info) == 0 || info.dli_sname == NULL || capacity == 0) return 0;
    strncpy(name, info.dli_sname, capacity - 1);
    name[capacity - 1] = 0;
    *symbolStart = (uintptr_t)info.dli_saddr;
    return 1;
}

__attribute__((noinline)) uintptr_t soakgate_heap_walk_stack_pointer(void) {
    volatile uintptr_t marker = 0;
    return (uintptr_t)&marker;
}
