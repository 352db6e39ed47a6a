// SPDX-License-Identifier: GPL-2.0
/*
 * What Documentation/filesystems/famfs.rst states that no other guest test checks
 * (kselftest harness): O_DIRECT opens are EINVAL; open(O_TRUNC) of a mapped file is a
 * size change (EIO from then on); splice and sendfile go through the file's
 * read/write paths; a write to a private mapping leaves the file alone; the bytes
 * between EOF and the end of the last page are reachable through mmap (device
 * memory of the extent) while the next page is SIGBUS; MAP_GETEXT writes 16 bytes
 * per extent; MAP_GET leaves file_type and ext_list zero.
 *
 * Runs as root in the test guest on $FAMFS_DAXDEV (bound to fsdev_dax).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

/* Offsets below 64 MiB stay free for meta files; the other tests use 64 MiB up. */
#define DATA_BASE (512 * MiB)

/*
 * A new file @name of @size bytes on one extent of whole 2 MiB units (at least one)
 * at @off; its fd, or -1.
 */
static int mapped_file(const char *dir, const char *name, uint64_t size, uint64_t off)
{
	uint64_t len = size ? (size + 2 * MiB - 1) & ~(2 * MiB - 1) : 2 * MiB;

	return xfile(dir, name, size, off, len);
}

/* The signal that touching @p kills a child with (0 if it does not). */
static int touch_signal(volatile char *p)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

FIXTURE(doc) {
	char mnt[64];
};

FIXTURE_SETUP(doc)
{
	mount_test_fs(_metadata, self->mnt, "/tmp/famfs-doc-XXXXXX");
}

FIXTURE_TEARDOWN(doc)
{
	EXPECT_EQ(0, umount(self->mnt));
	rmdir(self->mnt);
}

TEST_F(doc, o_direct_open_is_einval)
{
	char path[256], buf[4096];
	int fd = mapped_file(self->mnt, "f", 2 * MiB, DATA_BASE);

	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	EXPECT_EQ(-1, open(path, O_RDONLY | O_DIRECT));
	EXPECT_EQ(EINVAL, errno);
	/* The file itself is unharmed. */
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	close(fd);
}

TEST_F(doc, o_trunc_open_disables_a_mapped_file)
{
	char path[256], buf[4096];
	struct stat st;
	int fd = mapped_file(self->mnt, "f", 2 * MiB, DATA_BASE);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(4096, pread(fd, buf, sizeof(buf), 0));
	close(fd);
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	/* A truncating open succeeds, as any truncate does ... */
	fd = open(path, O_RDWR | O_TRUNC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	/*
	 * ... and disables the file at once: EIO (not the reference's first ENXIO),
	 * also after the old size is restored.
	 */
	EXPECT_EQ(-1, pwrite(fd, buf, 1, 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pread(fd, buf, 1, 0));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, ftruncate(fd, 2 * MiB));
	EXPECT_EQ(-1, pread(fd, buf, 1, 0));
	EXPECT_EQ(EIO, errno);
	close(fd);
}

TEST_F(doc, o_trunc_open_of_an_empty_file_is_no_size_change)
{
	char path[256], buf[16];
	int fd = mapped_file(self->mnt, "f", 0, DATA_BASE);

	/* A zero-size map: the truncating open changes nothing, so nothing breaks. */
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	fd = open(path, O_RDWR | O_TRUNC);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), 0));
	close(fd);
}

TEST_F(doc, splice_and_sendfile_use_the_file)
{
	char in[8192], out[8192];
	int pipefd[2];
	loff_t off = 0;
	off_t soff = 4096;
	int src = mapped_file(self->mnt, "src", 2 * MiB, DATA_BASE);
	int dst = mapped_file(self->mnt, "dst", 2 * MiB, DATA_BASE + 2 * MiB);

	ASSERT_GE(src, 0);
	ASSERT_GE(dst, 0);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7 + 1);
	ASSERT_EQ(sizeof(in), pwrite(src, in, sizeof(in), 0));
	/* famfs -> pipe -> famfs. */
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(4096, splice(src, &off, pipefd[1], NULL, 4096, 0));
	off = 0;
	EXPECT_EQ(4096, splice(pipefd[0], NULL, dst, &off, 4096, 0));
	EXPECT_EQ(4096, pread(dst, out, 4096, 0));
	EXPECT_EQ(0, memcmp(in, out, 4096));
	/* sendfile famfs -> famfs; and from the end of the file, clamped at EOF. */
	EXPECT_EQ(4096, sendfile(dst, src, &soff, 4096));
	EXPECT_EQ(8192, soff);
	/* (sendfile writes at dst's file position, 0: it copied in[4096..8191] there.) */
	EXPECT_EQ(4096, pread(dst, out, 4096, 0));
	EXPECT_EQ(0, memcmp(in + 4096, out, 4096));
	soff = 2 * MiB - 100;
	EXPECT_EQ(100, sendfile(pipefd[1], src, &soff, 4096));
	close(pipefd[0]);
	close(pipefd[1]);
	close(src);
	close(dst);
}

TEST_F(doc, private_mapping_write_leaves_the_file)
{
	char buf[16];
	char *p;
	int fd = mapped_file(self->mnt, "f", 2 * MiB, DATA_BASE);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(5, pwrite(fd, "files", 5, 100));
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p + 100, "files", 5));
	memcpy(p + 100, "COPY!", 5);
	EXPECT_EQ(0, memcmp(p + 100, "COPY!", 5));
	EXPECT_EQ(0, msync(p, 2 * MiB, MS_SYNC));
	EXPECT_EQ(5, pread(fd, buf, 5, 100));
	EXPECT_EQ(0, memcmp(buf, "files", 5));
	munmap(p, 2 * MiB);
	close(fd);
}

TEST_F(doc, tail_of_the_last_page_is_extent_memory)
{
	const uint64_t size = 4096 + 100;
	char buf[4];
	volatile char *p;
	int fd = mapped_file(self->mnt, "short", size, DATA_BASE + 8 * MiB);
	int whole;

	ASSERT_GE(fd, 0);
	p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, (void *)p);
	/* Past EOF, inside the last page: mapped, and it is the extent's memory ... */
	p[5000] = 'Z';
	EXPECT_EQ('Z', p[5000]);
	EXPECT_EQ(0, msync((void *)p, 2 * 4096, MS_SYNC));
	/* ... but read() stops at EOF, */
	EXPECT_EQ(0, pread(fd, buf, 1, 5000));
	/* and the next page is past the file: SIGBUS. */
	EXPECT_EQ(SIGBUS, touch_signal(p + 2 * 4096));
	munmap((void *)p, 3 * 4096);
	/*
	 * The byte is in the device memory of the extent: a file over the whole extent
	 * (cross-linked with the first, which famfs allows) reads it.
	 */
	whole = mapped_file(self->mnt, "whole", 2 * MiB, DATA_BASE + 8 * MiB);
	ASSERT_GE(whole, 0);
	EXPECT_EQ(1, pread(whole, buf, 1, 5000));
	EXPECT_EQ('Z', buf[0]);
	close(whole);
	close(fd);
}

TEST_F(doc, getext_writes_16_bytes_per_extent_and_get_leaves_zeros)
{
	struct famfs_ioc_map m = {
		.extent_type = SIMPLE_DAX_EXTENT,
		.file_type = FAMFS_LOG,
		.file_size = 3 * MiB,
		.ext_list_count = 2,
		.ext_list = { { DATA_BASE + 16 * MiB, 2 * MiB }, { DATA_BASE + 32 * MiB, 1 * MiB } },
	};
	struct famfs_extent e[3];
	struct famfs_ioc_map got;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/log", self->mnt);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_CREATE, &m));
	memset(e, 0xff, sizeof(e));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GETEXT, e));
	EXPECT_EQ(DATA_BASE + 16 * MiB, e[0].offset);
	EXPECT_EQ(2 * MiB, e[0].len);
	/* The second extent too, though the command number encodes 16 bytes ... */
	EXPECT_EQ(DATA_BASE + 32 * MiB, e[1].offset);
	EXPECT_EQ(1 * MiB, e[1].len);
	/* ... and nothing after it. */
	EXPECT_EQ(UINT64_MAX, e[2].offset);
	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET, &got));
	EXPECT_EQ(SIMPLE_DAX_EXTENT, got.extent_type);
	EXPECT_EQ(3 * MiB, got.file_size);
	EXPECT_EQ(2, got.ext_list_count);
	/* As the reference: file_type and ext_list are left zero. */
	EXPECT_EQ(0, got.file_type);
	EXPECT_EQ(0, got.ext_list[0].offset);
	EXPECT_EQ(0, got.ext_list[1].len);
	close(fd);
}

TEST_HARNESS_MAIN
