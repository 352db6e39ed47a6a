/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfs helpers: what Rust cannot call or express through bindgen, for the kfs
 * layer (rust/, the `kfs` module of a file system's crate).
 *
 * Most are one-line wrappers of a static inline function, a macro or a field
 * access, in the manner of the kernel's rust/helpers/ (rust_helper_<name>), named
 * kfs_<name> after what they wrap: a module cannot use the rust_helper_ names,
 * which the kernel itself defines. The rest are C-only constructs (templates
 * instantiated by macros, static initialisers, module parameters) and loops over
 * C lists. Workarounds that reach into kernel internals are not here but in
 * kfs_gaps.h. Nothing here knows which file system uses it.
 */
#ifndef KFS_HELPERS_H
#define KFS_HELPERS_H

#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/iomap.h>
#include <linux/mm.h>
#include <linux/rbtree.h>

/* Inode: locks, size, flags. */
void kfs_inode_lock(struct inode *inode);
bool kfs_inode_trylock(struct inode *inode);
bool kfs_inode_trylock_shared(struct inode *inode);
void kfs_inode_unlock(struct inode *inode);
void kfs_inode_lock_shared(struct inode *inode);
void kfs_inode_unlock_shared(struct inode *inode);
loff_t kfs_i_size_read(const struct inode *inode);
void kfs_i_size_write(struct inode *inode, loff_t size);
struct inode *kfs_file_inode(const struct file *file);
void kfs_file_accessed(struct file *file);
/* file_inode(iocb->ki_filp) */
struct inode *kfs_iocb_inode(const struct kiocb *iocb);
struct inode *kfs_d_inode(const struct dentry *dentry);
/*
 * A new directory's i_rwsem in the lock class of directories, apart from files'
 * (as d_instantiate_new() does), so that lockdep tells a file's lock taken under
 * its directory's from recursion.
 */
void kfs_lockdep_annotate_inode_mutex_key(struct inode *inode);
/* iput()'s fast path alone: drops a reference that is not the last (7.3's iput_if_not_last()). */
bool kfs_iput_unless_last(struct inode *inode);
/* A directory's mtime and ctime set to now (an entry was added). */
void kfs_dir_touch(struct inode *dir);

/* Mapping locks of an inode (its i_mapping). */
void kfs_filemap_invalidate_lock(struct inode *inode);
void kfs_filemap_invalidate_unlock(struct inode *inode);
void kfs_filemap_invalidate_lock_shared(struct inode *inode);
void kfs_filemap_invalidate_unlock_shared(struct inode *inode);
/* unmap_mapping_range() of the whole file, private copies too. */
void kfs_unmap_mapping(struct inode *inode);

/*
 * struct fs_context and struct fs_parameter are opaque to Rust (kernel::bindings
 * declares them without fields): the fields the layer uses, read and written here.
 */
void kfs_fc_init(struct fs_context *fc, const struct fs_context_operations *ops,
		 void *fs_private);
void *kfs_fc_private(const struct fs_context *fc);
void *kfs_fc_take_private(struct fs_context *fc);
const char *kfs_fc_source(const struct fs_context *fc);
struct super_block *kfs_fc_root_sb(const struct fs_context *fc);
/* The mount's root: a reference to @sb's root dentry, as get_tree must leave it. */
void kfs_fc_set_root(struct fs_context *fc, struct super_block *sb);
/* errorfc(): logs @msg in the fs_context log (fsconfig users read it); returns @err. */
int kfs_errorfc(struct fs_context *fc, int err, const char *msg);
/*
 * fs_parse(): the option number of @param in @desc, or a negative errno; for a
 * u32 parameter (fs_param_is_u32) its value in *@uint_32. struct fs_parse_result
 * is a union bindgen cannot make a plain Rust type of.
 */
int kfs_fs_parse(struct fs_context *fc, const struct fs_parameter_spec *desc,
		 struct fs_parameter *param, unsigned int *uint_32);
/* param->string: the value of a string parameter (fs_param_is_string). */
const char *kfs_fs_param_string(const struct fs_parameter *param);
/* seq_printf(m, ",%s=%o", name, value): a mount option in /proc/mounts. */

/*
 * struct fs_parameter_spec with its fields, for the Rust layer to build parameter
 * tables in: kernel::bindings declares it without fields. kfs_helpers.c asserts
 * that this twin has the layout of the real thing.
 */
struct kfs_fs_parameter_spec {
	const char *name;
	fs_param_type *type;
	u8 opt;
	unsigned short flags;
	const void *data;
};

/* Faults and mappings. */
bool kfs_vmf_is_shared_write(const struct vm_fault *vmf);
bool kfs_vmf_is_write(const struct vm_fault *vmf);
struct file *kfs_vmf_file(const struct vm_fault *vmf);
pgoff_t kfs_vmf_pgoff(const struct vm_fault *vmf);
bool kfs_vm_fault_failed(vm_fault_t ret);
void kfs_sb_start_pagefault(struct super_block *sb);
void kfs_sb_end_pagefault(struct super_block *sb);
void kfs_vma_desc_set_hugepage(struct vm_area_desc *desc);
void kfs_vma_desc_set_vm_ops(struct vm_area_desc *desc, const struct vm_operations_struct *ops);
struct file *kfs_vma_desc_file(const struct vm_area_desc *desc);

/* I/O. */
/* The size in bytes of the block device @bdev_file is open on. */
loff_t kfs_bdev_file_size(struct file *bdev_file);
void kfs_iov_iter_truncate(struct iov_iter *iter, u64 count);
ssize_t kfs_generic_write_sync(struct kiocb *iocb, ssize_t count);
int kfs_mnt_want_write_file(struct file *file);
void kfs_mnt_drop_write_file(struct file *file);

/* DAX entries and writeback. */
/* ->writepages of a DAX file: its dirty entries in @wbc's range, through @dax. */
int kfs_dax_writeback_mapping_range(struct address_space *mapping, struct dax_device *dax,
				    struct writeback_control *wbc);
bool kfs_wbc_sync_all(const struct writeback_control *wbc);
/* fsync: writes back the dirty DAX entries of [@start, @end] (WB_SYNC_ALL). */
int kfs_dax_writeback_range(struct inode *inode, struct dax_device *dax, loff_t start,
			    loff_t end);
/* Every DAX entry of @inode removed (dax_delete_mapping_range() of the whole file). */
void kfs_dax_delete_mapping(struct inode *inode);
/* Whether no page of @inode is pinned (dax_layout_busy_page_range() found none). */
bool kfs_dax_layout_idle(struct inode *inode);
/*
 * Copies @len bytes at byte @offset of @dax_dev into @buf (machine-check safe):
 * -ENXIO past the device, -EIO on poison.
 */
int kfs_dax_read(struct dax_device *dax_dev, u64 offset, void *buf, size_t len);

/*
 * struct iomap_ops with its fields, for the Rust layer to build its tables in:
 * kernel::bindings declares struct iomap_ops without fields, and the module's
 * bindgen leaves that name to it (one Rust type per C type). kfs_helpers.c
 * asserts that this twin has the layout of the real thing.
 */
struct kfs_iomap_ops {
	iomap_iter_begin_fn iomap_begin;
	iomap_iter_end_fn iomap_end;
	iomap_iter_next_fn iomap_next;
};

/*
 * Loops over a superblock's inodes (s_inodes, under s_inode_list_lock).
 *
 * kfs_unmap_all(): removes every user mapping of every regular file of @sb and,
 * with @remove (the device is going away, or the superblock gives its devices up),
 * every DAX entry too (kfs_drop_dax_state(), kfs_gaps.h).
 *
 * kfs_grab_inode_next(): the next inode numbered @ino of @sb after @prev (a
 * referenced inode of @sb; NULL: from the start) that is not being freed,
 * referenced; NULL when there is none. Inode numbers repeat once get_next_ino()
 * wraps: the caller tells them apart.
 */
void kfs_unmap_all(struct super_block *sb, bool remove);
struct inode *kfs_grab_inode_next(struct super_block *sb, u64 ino, struct inode *prev);

/*
 * A memory failure in bytes [@pos, @pos + @len) of @inode: SIGBUS to the
 * processes mapping them (mf_dax_kill_procs()), then those pages are unmapped
 * under the invalidate lock, so that every later access faults again. Returns
 * mf_dax_kill_procs()'s error (the pages are unmapped all the same).
 */
int kfs_poison_range(struct inode *inode, u64 pos, u64 len, int mf_flags);

/*
 * Rate limits: KFS_RATELIMITS states (5 s, 10 messages each), numbered; a file
 * system gives each class of its messages its own.
 */
enum { KFS_RATELIMITS = 8 };
bool kfs_ratelimit(unsigned int state);

/*
 * Test-only knobs, module parameters of the module that links this file (in
 * kernels with CONFIG_FAULT_INJECTION only; no-ops otherwise): delay points that
 * widen race windows (test_delay_at, test_delay_ms; test_delays_entered and
 * test_delays_done count the sleeps), and one inode number for every new inode
 * (test_same_ino).
 */
void kfs_test_delay(unsigned int point);
/* A new inode's number: get_next_ino(), or (tests only) test_same_ino. */
unsigned int kfs_next_ino(void);

/*
 * An interval tree of closed intervals [start, last] (the kernel's augmented
 * rbtree template, include/linux/interval_tree_generic.h, instantiated here):
 * insertion and removal in O(log n), the intervals overlapping a query in
 * O(log n + k). The node is embedded first in a Rust-owned allocation; the
 * caller serialises every access to a tree.
 */
struct kfs_itree_node {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
};
void kfs_itree_insert(struct kfs_itree_node *node, struct rb_root_cached *root);
void kfs_itree_remove(struct kfs_itree_node *node, struct rb_root_cached *root);
struct kfs_itree_node *kfs_itree_first(struct rb_root_cached *root, u64 start, u64 last);
struct kfs_itree_node *kfs_itree_next(struct kfs_itree_node *node, u64 start, u64 last);

#endif /* KFS_HELPERS_H */
