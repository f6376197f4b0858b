/* libprescient_native: the agent's native helpers (Linux only).
 *
 * File descriptors are passed as intptr_t so that a managed SafeHandle marshals directly.
 * Every function is thread-safe and reentrant, keeps no global state, and reports errors by
 * returning a negative errno value (0 = success) and also leaving errno set, so the managed side
 * can use either convention.
 */
#ifndef PRESCIENT_NATIVE_H
#define PRESCIENT_NATIVE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this library. The agent refuses a library whose version differs from the one
 * it was built for and falls back to managed code. */
#define PRESCIENT_NATIVE_ABI_VERSION 1

int prescient_native_abi_version(void);

/* Size in bytes of one page, the unit of the residency counts. */
uint64_t prescient_page_size_bytes(void);

/* Page-cache residency of the regular file open as `fd` (read access suffices):
 * `*total_pages` = ceil(file size / page size), `*resident_pages` = pages of the file now in the
 * page cache (mmap + mincore; does not read the file nor change the cache).
 * Returns 0, or -EINVAL (null pointers, not a regular file), -EBADF, or an mmap/mincore error.
 * An empty file gives 0/0. */
int prescient_fd_page_cache_residency(intptr_t fd, uint64_t *resident_pages, uint64_t *total_pages);

/* The same for a path: opens it read-only (O_CLOEXEC), measures, closes. -ENOENT etc. on open. */
int prescient_page_cache_residency(const char *path, uint64_t *resident_pages, uint64_t *total_pages);

/* Asks the kernel to read [offset_bytes, offset_bytes + length_bytes) of the file open as `fd`
 * into the page cache without waiting for the I/O (posix_fadvise WILLNEED). length_bytes = 0
 * means "to the end of the file". Returns 0 or a negative errno. */
int prescient_fd_readahead(intptr_t fd, uint64_t offset_bytes, uint64_t length_bytes);

#ifdef __cplusplus
}
#endif

#endif
