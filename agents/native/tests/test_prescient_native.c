/* ctest for libprescient_native: residency and readahead on a real file in the build tree. */
#define _GNU_SOURCE
#include "prescient_native.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            failures++;                                                                           \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
        }                                                                                         \
    } while (0)

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_abi_and_page_size(void)
{
    CHECK(prescient_native_abi_version() == PRESCIENT_NATIVE_ABI_VERSION, "abi %d", prescient_native_abi_version());
    uint64_t page = prescient_page_size_bytes();
    CHECK(page >= 4096 && (page & (page - 1)) == 0, "page size %llu", (unsigned long long)page);
}

static void test_errors(const char *dir)
{
    uint64_t resident = 7, total = 7;
    int rc = prescient_page_cache_residency("/nonexistent/prescient/file", &resident, &total);
    CHECK(rc == -ENOENT && errno == ENOENT, "rc %d errno %d", rc, errno);

    rc = prescient_page_cache_residency(dir, &resident, &total);
    CHECK(rc == -EINVAL, "directory: rc %d", rc);

    rc = prescient_page_cache_residency(NULL, &resident, &total);
    CHECK(rc == -EINVAL, "null path: rc %d", rc);
    rc = prescient_page_cache_residency(dir, NULL, &total);
    CHECK(rc == -EINVAL, "null out: rc %d", rc);

    rc = prescient_fd_page_cache_residency(-1, &resident, &total);
    CHECK(rc == -EBADF, "bad fd: rc %d", rc);
    rc = prescient_fd_readahead(-1, 0, 0);
    CHECK(rc == -EBADF, "readahead bad fd: rc %d", rc);
}

static void test_empty_file(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/prescient-native-empty-XXXXXX", dir);
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
    if (fd < 0)
        return;
    uint64_t resident = 9, total = 9;
    int rc = prescient_fd_page_cache_residency(fd, &resident, &total);
    CHECK(rc == 0 && resident == 0 && total == 0, "rc %d resident %llu total %llu", rc,
          (unsigned long long)resident, (unsigned long long)total);
    close(fd);
    unlink(path);
}

static void test_residency_and_readahead(const char *dir)
{
    const uint64_t page = prescient_page_size_bytes();
    const uint64_t size = 64 * page + 123; /* a partial last page counts as a page */
    const uint64_t expected_pages = 65;

    char path[4096];
    snprintf(path, sizeof path, "%s/prescient-native-data-XXXXXX", dir);
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
    if (fd < 0)
        return;

    char *buf = malloc(size);
    memset(buf, 'p', size);
    CHECK(write(fd, buf, size) == (ssize_t)size, "write: %s", strerror(errno));
    CHECK(fdatasync(fd) == 0, "fdatasync: %s", strerror(errno));

    /* Reading the file back puts every page in the cache on any file system. */
    CHECK(pread(fd, buf, size, 0) == (ssize_t)size, "pread: %s", strerror(errno));
    uint64_t resident = 0, total = 0;
    int rc = prescient_page_cache_residency(path, &resident, &total);
    CHECK(rc == 0, "rc %d", rc);
    CHECK(total == expected_pages, "total %llu", (unsigned long long)total);
    CHECK(resident == expected_pages, "resident after read %llu", (unsigned long long)resident);

    /* Clean pages leave the cache on DONTNEED, except on tmpfs where the cache is the storage. */
    struct statfs fs;
    int is_tmpfs = fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    rc = prescient_fd_page_cache_residency(fd, &resident, &total);
    CHECK(rc == 0 && total == expected_pages, "rc %d total %llu", rc, (unsigned long long)total);
    if (!is_tmpfs)
        CHECK(resident < expected_pages, "resident after DONTNEED %llu", (unsigned long long)resident);

    /* WILLNEED starts asynchronous reads; poll (bounded) until the whole file is cached. The advice is advisory:
       the kernel reads ahead in whole windows and was seen (once in many runs) to leave the partial last page for
       later, so every full page must come in, the partial one may. */
    uint64_t before_readahead = resident;
    rc = prescient_fd_readahead(fd, 0, 0);
    CHECK(rc == 0, "readahead rc %d", rc);
    for (int i = 0; i < 200; i++) {
        prescient_fd_page_cache_residency(fd, &resident, &total);
        if (resident == expected_pages)
            break;
        sleep_ms(10);
    }
    CHECK(resident >= expected_pages - 1, "resident after readahead %llu", (unsigned long long)resident);
    if (!is_tmpfs)
        CHECK(resident > before_readahead, "readahead brought nothing in (%llu resident)", (unsigned long long)resident);

    free(buf);
    close(fd);
    unlink(path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    test_abi_and_page_size();
    test_errors(dir);
    test_empty_file(dir);
    test_residency_and_readahead(dir);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all native checks passed\n");
    return 0;
}
