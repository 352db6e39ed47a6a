/* SPDX-License-Identifier: GPL-2.0 */
/*
 * famfs C shim: the static inline functions, macros and lock-walking loops
 * that Rust cannot call or express through bindgen. Each function here is a
 * one-line wrapper or a loop over a C list; all famfs logic is in Rust.
 */
#ifndef FAMFS_SHIM_H
#define FAMFS_SHIM_H

#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/iomap.h>
#include <linux/mm.h>
#include <linux/rbtree.h>

/*
 * Rate limits of the module's messages, one state per class: what any user can
 * trigger, map refusals (privileged callers), device failures.
 */
enum { FAMFS_RL_USER = 0, FAMFS_RL_MAP = 1, FAMFS_RL_DEVICE = 2 };
bool famfs_shim_ratelimit(int class);

/*
 * Test-only delay points (see famfs_shim.c): each widens one race window for the
 * race tests; a no-op unless the test_delay_* module parameters ask for it.
 */
enum famfs_delay_point {
	FAMFS_DELAY_NOTIFY_FAILURE = 0,	/* a memory-failure callback, holder found */
	FAMFS_DELAY_FILL_SUPER = 1,	/* mount: device claimed, state not yet made */
	FAMFS_DELAY_FAULT = 2,		/* fault: map validated, page not yet mapped */
	FAMFS_DELAY_ADD_DAXDEV = 3,	/* ADD_DAXDEV: member claimed and checked */
	FAMFS_DELAY_KILL_SB = 4,	/* kill_sb: devices given up, inodes not yet evicted */
	FAMFS_DELAY_NOTIFY_RETURN = 5,	/* a memory-failure callback returning to the dax core */
	FAMFS_DELAY_FAILURE_WALK = 6,	/* a memory-failure callback holding a file it handled */
};
void famfs_shim_test_delay(unsigned int point);
/* A new inode's number: get_next_ino(), or (tests only) a fixed one. */
unsigned int famfs_shim_next_ino(void);

/* Inode: locks, size, flags. */
void famfs_shim_inode_lock(struct inode *inode);
bool famfs_shim_inode_trylock(struct inode *inode);
bool famfs_shim_inode_trylock_shared(struct inode *inode);
void famfs_shim_inode_unlock(struct inode *inode);
void famfs_shim_inode_lock_shared(struct inode *inode);
void famfs_shim_inode_unlock_shared(struct inode *inode);
loff_t famfs_shim_i_size_read(const struct inode *inode);
void famfs_shim_i_size_write(struct inode *inode, loff_t size);
bool famfs_shim_is_dax(const struct inode *inode);
struct inode *famfs_shim_file_inode(const struct file *file);
void famfs_shim_file_accessed(struct file *file);
struct inode *famfs_shim_iocb_inode(const struct kiocb *iocb);

/*
 * Mount and ADD_DAXDEV: resolve the source path to a block device (*is_block set;
 * whose DAX capability the caller checks when it claims it) or a registered dax
 * character device (*dax: a reference, put_dax(); never created, never a dax
 * device without a character device). -ENODEV for a character device that is not
 * a registered dax device.
 */
int famfs_shim_lookup_source(const char *source, dev_t *devt, bool *is_block,
			     struct dax_device **dax);
loff_t famfs_shim_bdev_file_size(struct file *bdev_file);
/* Mount options: returns the option index (FAMFS_OPT_*) or a negative errno. */
enum { FAMFS_OPT_MODE = 0, FAMFS_OPT_DAX = 1 };
int famfs_shim_parse_param(struct fs_context *fc, struct fs_parameter *param, u32 *mode);
extern const struct fs_parameter_spec famfs_fs_parameters[];
/* Logs @msg as an error in the fs_context log (fsconfig users read it) and returns @err. */
int famfs_shim_fc_error(struct fs_context *fc, int err, const char *msg);
/*
 * struct fs_context is opaque to Rust (kernel::bindings declares it without
 * fields): its fields famfs uses, read and written here.
 */
void famfs_shim_fc_init(struct fs_context *fc, const struct fs_context_operations *ops,
			void *fs_private);
void *famfs_shim_fc_private(const struct fs_context *fc);
void *famfs_shim_fc_take_private(struct fs_context *fc);
const char *famfs_shim_fc_source(const struct fs_context *fc);
struct super_block *famfs_shim_fc_root_sb(const struct fs_context *fc);
void famfs_shim_fc_set_root(struct fs_context *fc, struct super_block *sb);
void famfs_shim_seq_show_mode(struct seq_file *m, umode_t mode);

/* Faults. */
vm_fault_t famfs_shim_vmf_error(int err);
bool famfs_shim_vmf_is_shared_write(const struct vm_fault *vmf);
struct file *famfs_shim_vmf_file(const struct vm_fault *vmf);
void famfs_shim_sb_start_pagefault(struct super_block *sb);
void famfs_shim_sb_end_pagefault(struct super_block *sb);
void famfs_shim_vma_desc_set_hugepage(struct vm_area_desc *desc);
void famfs_shim_vma_desc_set_vm_ops(struct vm_area_desc *desc, const struct vm_operations_struct *ops);
struct file *famfs_shim_vma_desc_file(const struct vm_area_desc *desc);

/*
 * Device failure: remove every user mapping of every regular file of @sb, and with
 * @remove (the device is going away, or the superblock gives its devices up) every
 * DAX entry too, waiting for pinned pages first, so that nothing refers to its pages
 * once they are gone. Faults hold the mapping's invalidate lock (shared), so none
 * can slip a new entry in. drop_dax_state() does it with @remove for one inode.
 */
void famfs_shim_unmap_all(struct super_block *sb, bool remove);
void famfs_shim_drop_dax_state(struct inode *inode);
/*
 * A memory failure in bytes [@pos, @pos + @len) of @inode: SIGBUS to the
 * processes mapping them (mf_dax_kill_procs()), then those pages are unmapped
 * under the invalidate lock, so that every later access faults again.
 */
void famfs_shim_poison_range(struct inode *inode, u64 pos, u64 len, int mf_flags);
void famfs_shim_fault_lock(struct inode *inode);
void famfs_shim_fault_unlock(struct inode *inode);
/* A size change holds the invalidate lock exclusively against faults. */
void famfs_shim_invalidate_lock(struct inode *inode);
void famfs_shim_invalidate_unlock(struct inode *inode);

/*
 * famfs's dax holders (rust/dax.rs): a table of the holder objects famfs has
 * registered with the dax core, and an SRCU that the memory-failure callback
 * holds while it uses one. holder_add() before the device is claimed;
 * holder_del() after the claim is dropped: it removes the holder and waits
 * until no callback can still be using it. holder_find() (under the read lock)
 * returns the famfs holder of @dax_dev, or NULL when its holder is not a live
 * famfs holder (gone, or another subsystem's). holder_sync() waits for every
 * callback inside the read lock, and for every callback the dax core is making
 * into famfs (module exit).
 */
int famfs_shim_holder_add(void *holder);
void famfs_shim_holder_del(void *holder);
int famfs_shim_holder_read_lock(void);
void famfs_shim_holder_read_unlock(int idx);
void *famfs_shim_holder_find(struct dax_device *dax_dev);
void famfs_shim_holder_sync(void);
/* Held while a claim is given back or revoked (rust/dax.rs, release_holder). */
void famfs_shim_claim_lock(void);
void famfs_shim_claim_unlock(void);

/*
 * Copies @len bytes at byte @offset of @dax_dev into @buf (machine-check safe):
 * how famfs reads a device's superblock. -ENXIO past the device, -EIO on poison.
 */
int famfs_shim_dax_read(struct dax_device *dax_dev, u64 offset, void *buf, size_t len);

/*
 * struct iomap_ops with its fields, for the Rust layer to build its tables in:
 * kernel::bindings declares struct iomap_ops without fields, and the module's
 * bindgen leaves that name to it (one Rust type per C type). famfs_shim.c
 * asserts that this twin has the layout of the real thing.
 */
struct famfs_iomap_ops {
	iomap_iter_begin_fn iomap_begin;
	iomap_iter_end_fn iomap_end;
	iomap_iter_next_fn iomap_next;
};

/*
 * Cross-linked files (see famfs_shim.c): the lock that serialises fs/dax's
 * per-folio sharing state; whether @index of @inode has a DAX entry with a
 * device page; a fault done as a read fault (no FAULT_FLAG_WRITE) of order 0;
 * waiting for pinned pages, unmapping, and dropping DAX entries.
 */
void famfs_shim_xlink_lock(void);
void famfs_shim_xlink_unlock(void);
bool famfs_shim_dax_entry_present(struct inode *inode, pgoff_t index);
pgoff_t famfs_shim_vmf_pgoff(const struct vm_fault *vmf);
bool famfs_shim_vmf_is_write(const struct vm_fault *vmf);
bool famfs_shim_vm_fault_failed(vm_fault_t ret);
vm_fault_t famfs_shim_dax_read_fault(struct vm_fault *vmf, const struct iomap_ops *ops);
void famfs_shim_wait_dax_idle(struct inode *inode);
/* Unmaps every user mapping; true if no page of @inode is pinned. */
bool famfs_shim_dax_unmap_if_idle(struct inode *inode);
void famfs_shim_dax_delete_entries(struct inode *inode);
/*
 * The next inode numbered @ino of @sb after @prev (a referenced inode of @sb; NULL:
 * from the start) that is not being freed, referenced; NULL when there is none.
 * Inode numbers repeat once get_next_ino() wraps: the caller tells them apart.
 */
struct inode *famfs_shim_grab_inode_next(struct super_block *sb, u64 ino, struct inode *prev);



/* Small static inlines used by the Rust layer. */
void famfs_shim_dir_touch(struct inode *dir);
struct inode *famfs_shim_d_inode(const struct dentry *dentry);
size_t famfs_shim_iov_iter_count(const struct iov_iter *iter);
void famfs_shim_iov_iter_truncate(struct iov_iter *iter, u64 count);
void famfs_shim_unmap_inode(struct inode *inode);
bool famfs_shim_iput_unless_last(struct inode *inode);

/* Writes: O_SYNC/O_DSYNC after a write, and write access to the mount. */
ssize_t famfs_shim_generic_write_sync(struct kiocb *iocb, ssize_t count);
int famfs_shim_mnt_want_write_file(struct file *file);
void famfs_shim_mnt_drop_write_file(struct file *file);
/* fsync: writes back the dirty DAX entries of [@start, @end] (WB_SYNC_ALL). */
/* ->writepages of a DAX file: its dirty entries in @wbc's range, through @dax. */
int famfs_shim_dax_writepages(struct address_space *mapping, struct dax_device *dax,
			      struct writeback_control *wbc);
bool famfs_shim_wbc_sync_all(const struct writeback_control *wbc);
int famfs_shim_dax_writeback(struct inode *inode, struct dax_device *dax, loff_t start, loff_t end);

/*
 * An interval tree of closed intervals [start, last] (the kernel's augmented
 * rbtree template, include/linux/interval_tree_generic.h, instantiated here):
 * insertion and removal in O(log n), the intervals overlapping a query in
 * O(log n + k). The node is embedded first in a Rust-owned allocation; the
 * caller serialises every access to a tree.
 */
struct famfs_itree_node {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
};
void famfs_itree_insert(struct famfs_itree_node *node, struct rb_root_cached *root);
void famfs_itree_remove(struct famfs_itree_node *node, struct rb_root_cached *root);
struct famfs_itree_node *famfs_itree_first(struct rb_root_cached *root, u64 start, u64 last);
struct famfs_itree_node *famfs_itree_next(struct famfs_itree_node *node, u64 start, u64 last);
int famfs_shim_lookup_fd(int fd, dev_t *devt, struct dax_device **dax);
#endif /* FAMFS_SHIM_H */
