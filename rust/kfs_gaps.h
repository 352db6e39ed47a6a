/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfs gaps: workarounds for what Linux 7.3 does not offer a file system on a dax
 * device, each of which reaches into a kernel internal (a private structure, a
 * private encoding, a static lock) or stands in for a missing guarantee. Each
 * names the patch under patches/ that would make it unnecessary; with that patch
 * applied, the workaround goes and the layer calls the kernel directly.
 */
#ifndef KFS_GAPS_H
#define KFS_GAPS_H

#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/iomap.h>
#include <linux/mm.h>

/*
 * Gap 1, dax devices by path or file descriptor (patches/0001-dax-add-dax_dev_get_by_file.patch,
 * patches/0002-fs-export-may_open_dev.patch).
 *
 * kfs_lookup_source(): resolves the source path to a block device (*is_block set;
 * whose DAX capability the caller checks when it claims it) or a registered dax
 * character device (*dax: a reference, put_dax(); never created, never a dax
 * device without a character device). -ENODEV for a character device that is not
 * a registered dax device.
 *
 * kfs_lookup_fd(): the dax device that @fd, an open file of the calling process,
 * is a character device node of (*dax: a reference). -EBADF if @fd is not open (or
 * is an O_PATH descriptor), -EINVAL if it is not a character device, -ENODEV if
 * it is not a registered dax character device.
 */
int kfs_lookup_source(const char *source, dev_t *devt, bool *is_block,
		      struct dax_device **dax);
int kfs_lookup_fd(int fd, dev_t *devt, struct dax_device **dax);

/*
 * Gap 2, holders and their callbacks
 * (patches/0003-dax-fs_put_dax-gives-back-only-its-own-claim-and-wai.patch).
 *
 * A table of the holder objects the module has registered with the dax core, and
 * an SRCU that the memory-failure callback holds while it uses one. holder_add()
 * before the device is claimed; holder_del() after the claim is dropped: it
 * removes the holder and waits until no callback can still be using it.
 * holder_find() (under the read lock) returns the holder of @dax_dev if it is one
 * of the table's, NULL otherwise (gone, or another subsystem's). holder_sync()
 * waits for every callback inside the read lock, and for every callback the dax
 * core is making into the module (module exit). The claim lock is held while a
 * claim is given back or revoked (rust/dax.rs, release_holder).
 */
int kfs_holder_add(void *holder);
void kfs_holder_del(void *holder);
int kfs_holder_read_lock(void);
void kfs_holder_read_unlock(int idx);
void *kfs_holder_find(struct dax_device *dax_dev);
void kfs_holder_sync(void);
void kfs_claim_lock(void);
void kfs_claim_unlock(void);

/*
 * Gap 3, whether an index of a file has a DAX entry with a device page
 * (patches/0004-dax-add-dax_mapping_entry_present.patch).
 */
bool kfs_dax_entry_present(struct inode *inode, pgoff_t index);

/*
 * Gap 4, files that share memory (cross-linked files)
 * (patches/0005-dax-serialise-the-sharing-state-of-a-folio-across-ma.patch and
 * patches/0006-dax-add-dax_iomap_read_fault.patch).
 *
 * The lock that serialises fs/dax's per-folio sharing state; a fault done as a
 * read fault (no FAULT_FLAG_WRITE) of order 0; waiting for pinned pages; and
 * removing every user mapping and DAX entry of @inode, waiting for pinned pages
 * first (kfs_drop_dax_state()). Faults hold the mapping's invalidate lock
 * (shared), so none can slip a new entry in.
 */
void kfs_xlink_lock(void);
void kfs_xlink_unlock(void);
vm_fault_t kfs_dax_read_fault(struct vm_fault *vmf, const struct iomap_ops *ops);
void kfs_wait_dax_idle(struct inode *inode);
void kfs_drop_dax_state(struct inode *inode);

#endif /* KFS_GAPS_H */
