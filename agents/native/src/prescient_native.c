#define _GNU_SOURCE
#include "prescient_native.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* mincore reports one byte per page; large files are measured in windows of this many pages so
 * the vector stays small (64 KiB) whatever the file size. */
#define RESIDENCY_WINDOW_PAGES (64u * 1024u)

static int fail(int error)
{
    errno = error;
    return -error;
}

int prescient_native_abi_version(void)
{
    return PRESCIENT_NATIVE_ABI_VERSION;
}

uint64_t prescient_page_size_bytes(void)
{
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? (uint64_t)size : 4096u;
}

int prescient_fd_page_cache_residency(intptr_t fd, uint64_t *resident_pages, uint64_t *total_pages)
{
    if (resident_pages == NULL || total_pages == NULL)
        return fail(EINVAL);
    *resident_pages = 0;
    *total_pages = 0;

    if (fd < 0 || fd > INT32_MAX)
        return fail(EBADF);
    struct stat st;
    if (fstat((int)fd, &st) != 0)
        return fail(errno);
    if (!S_ISREG(st.st_mode))
        return fail(EINVAL);
    if (st.st_size == 0)
        return 0;

    const uint64_t page = prescient_page_size_bytes();
    const uint64_t size = (uint64_t)st.st_size;
    const uint64_t pages = (size + page - 1) / page;

    unsigned char *vec = malloc(RESIDENCY_WINDOW_PAGES);
    if (vec == NULL)
        return fail(ENOMEM);

    uint64_t resident = 0;
    for (uint64_t first = 0; first < pages; first += RESIDENCY_WINDOW_PAGES) {
        uint64_t count = pages - first < RESIDENCY_WINDOW_PAGES ? pages - first : RESIDENCY_WINDOW_PAGES;
        uint64_t offset = first * page;
        uint64_t length = size - offset < count * page ? size - offset : count * page;
        /* PROT_NONE is enough for mincore and never faults a page in. */
        void *map = mmap(NULL, (size_t)length, PROT_NONE, MAP_SHARED, (int)fd, (off_t)offset);
        if (map == MAP_FAILED) {
            int error = errno;
            free(vec);
            return fail(error);
        }
        if (mincore(map, (size_t)length, vec) != 0) {
            int error = errno;
            munmap(map, (size_t)length);
            free(vec);
            return fail(error);
        }
        for (uint64_t i = 0; i < count; i++)
            resident += vec[i] & 1u;
        munmap(map, (size_t)length);
    }
    free(vec);

    *resident_pages = resident;
    *total_pages = pages;
    return 0;
}

int prescient_page_cache_residency(const char *path, uint64_t *resident_pages, uint64_t *total_pages)
{
    if (path == NULL || resident_pages == NULL || total_pages == NULL)
        return fail(EINVAL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(errno);
    int rc = prescient_fd_page_cache_residency(fd, resident_pages, total_pages);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int prescient_fd_readahead(intptr_t fd, uint64_t offset_bytes, uint64_t length_bytes)
{
    if (fd < 0 || fd > INT32_MAX)
        return fail(EBADF);
    if (offset_bytes > (uint64_t)INT64_MAX || length_bytes > (uint64_t)INT64_MAX)
        return fail(EINVAL);
    /* posix_fadvise returns the error instead of setting errno. */
    int rc = posix_fadvise((int)fd, (off_t)offset_bytes, (off_t)length_bytes, POSIX_FADV_WILLNEED);
    if (rc != 0)
        return fail(rc);
    return 0;
}
