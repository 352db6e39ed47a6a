// SPDX-License-Identifier: GPL-2.0
/*
 * kfs helpers; see kfs_helpers.h. One-line wrappers first, then the C-only
 * constructs and the loops over C lists.
 */
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/interval_tree_generic.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/writeback.h>
#include "kfs_helpers.h"
#include "kfs_gaps.h"

void kfs_inode_lock(struct inode *inode) { inode_lock(inode); }
bool kfs_inode_trylock(struct inode *inode) { return inode_trylock(inode); }
bool kfs_inode_trylock_shared(struct inode *inode) { return inode_trylock_shared(inode); }
void kfs_inode_unlock(struct inode *inode) { inode_unlock(inode); }
void kfs_inode_lock_shared(struct inode *inode) { inode_lock_shared(inode); }
void kfs_inode_unlock_shared(struct inode *inode) { inode_unlock_shared(inode); }
loff_t kfs_i_size_read(const struct inode *inode) { return i_size_read(inode); }
void kfs_i_size_write(struct inode *inode, loff_t size) { i_size_write(inode, size); }
struct inode *kfs_file_inode(const struct file *file) { return file_inode(file); }
void kfs_file_accessed(struct file *file) { file_accessed(file); }
struct inode *kfs_iocb_inode(const struct kiocb *iocb) { return file_inode(iocb->ki_filp); }
struct inode *kfs_d_inode(const struct dentry *dentry) { return d_inode(dentry); }
void kfs_lockdep_annotate_inode_mutex_key(struct inode *inode)
{
	lockdep_annotate_inode_mutex_key(inode);
}

/* As 7.3's iput_if_not_last(), which 7.2 does not have. */
bool kfs_iput_unless_last(struct inode *inode) { return atomic_add_unless(&inode->i_count, -1, 1); }
void kfs_dir_touch(struct inode *dir) { inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir)); }

void kfs_filemap_invalidate_lock(struct inode *inode) { filemap_invalidate_lock(inode->i_mapping); }
void kfs_filemap_invalidate_unlock(struct inode *inode)
{
	filemap_invalidate_unlock(inode->i_mapping);
}

void kfs_filemap_invalidate_lock_shared(struct inode *inode)
{
	filemap_invalidate_lock_shared(inode->i_mapping);
}

void kfs_filemap_invalidate_unlock_shared(struct inode *inode)
{
	filemap_invalidate_unlock_shared(inode->i_mapping);
}

void kfs_unmap_mapping(struct inode *inode) { unmap_mapping_range(inode->i_mapping, 0, 0, 1); }

void kfs_fc_init(struct fs_context *fc, const struct fs_context_operations *ops,
		 void *fs_private)
{
	fc->ops = ops;
	fc->fs_private = fs_private;
}

void *kfs_fc_private(const struct fs_context *fc) { return fc->fs_private; }

void *kfs_fc_take_private(struct fs_context *fc)
{
	void *p = fc->fs_private;

	fc->fs_private = NULL;
	return p;
}

const char *kfs_fc_source(const struct fs_context *fc) { return fc->source; }
struct super_block *kfs_fc_root_sb(const struct fs_context *fc) { return fc->root->d_sb; }
void kfs_fc_set_root(struct fs_context *fc, struct super_block *sb) { fc->root = dget(sb->s_root); }

int kfs_errorfc(struct fs_context *fc, int err, const char *msg)
{
	errorfc(fc, "%s", msg);
	return err;
}

int kfs_fs_parse(struct fs_context *fc, const struct fs_parameter_spec *desc,
		 struct fs_parameter *param, unsigned int *uint_32)
{
	struct fs_parse_result result = {};
	int opt = fs_parse(fc, desc, param, &result);

	*uint_32 = result.uint_32;
	return opt;
}

const char *kfs_fs_param_string(const struct fs_parameter *param) { return param->string; }

bool kfs_vmf_is_shared_write(const struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_WRITE) && (vmf->vma->vm_flags & VM_SHARED);
}

bool kfs_vmf_is_write(const struct vm_fault *vmf) { return vmf->flags & FAULT_FLAG_WRITE; }
struct file *kfs_vmf_file(const struct vm_fault *vmf) { return vmf->vma->vm_file; }
pgoff_t kfs_vmf_pgoff(const struct vm_fault *vmf) { return vmf->pgoff; }
bool kfs_vm_fault_failed(vm_fault_t ret) { return ret & VM_FAULT_ERROR; }
void kfs_sb_start_pagefault(struct super_block *sb) { sb_start_pagefault(sb); }
void kfs_sb_end_pagefault(struct super_block *sb) { sb_end_pagefault(sb); }
void kfs_vma_desc_set_hugepage(struct vm_area_desc *desc)
{
	vma_desc_set_flags(desc, VMA_HUGEPAGE_BIT);
}

void kfs_vma_desc_set_vm_ops(struct vm_area_desc *desc, const struct vm_operations_struct *ops)
{
	desc->vm_ops = ops;
}

struct file *kfs_vma_desc_file(const struct vm_area_desc *desc) { return desc->file; }

loff_t kfs_bdev_file_size(struct file *bdev_file) { return bdev_nr_bytes(file_bdev(bdev_file)); }
void kfs_iov_iter_truncate(struct iov_iter *iter, u64 count) { iov_iter_truncate(iter, count); }
ssize_t kfs_generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	return generic_write_sync(iocb, count);
}

int kfs_mnt_want_write_file(struct file *file) { return mnt_want_write_file(file); }
void kfs_mnt_drop_write_file(struct file *file) { mnt_drop_write_file(file); }

int kfs_dax_writeback_mapping_range(struct address_space *mapping, struct dax_device *dax,
				    struct writeback_control *wbc)
{
	return dax_writeback_mapping_range(mapping, dax, wbc);
}

bool kfs_wbc_sync_all(const struct writeback_control *wbc) { return wbc->sync_mode == WB_SYNC_ALL; }

int kfs_dax_writeback_range(struct inode *inode, struct dax_device *dax, loff_t start,
			    loff_t end)
{
	struct writeback_control wbc = {
		.sync_mode = WB_SYNC_ALL,
		.nr_to_write = LONG_MAX,
		.range_start = start,
		.range_end = end,
	};

	return dax_writeback_mapping_range(inode->i_mapping, dax, &wbc);
}

void kfs_dax_delete_mapping(struct inode *inode)
{
	dax_delete_mapping_range(inode->i_mapping, 0, LLONG_MAX);
}

bool kfs_dax_layout_idle(struct inode *inode)
{
	return !dax_layout_busy_page_range(inode->i_mapping, 0, LLONG_MAX);
}

/* ---- C-only constructs and loops ----------------------------------------- */

/* The Rust layer's parameter tables are struct kfs_fs_parameter_spec: the same layout. */
static_assert(sizeof(struct kfs_fs_parameter_spec) == sizeof(struct fs_parameter_spec));
static_assert(offsetof(struct kfs_fs_parameter_spec, name) ==
	      offsetof(struct fs_parameter_spec, name));
static_assert(offsetof(struct kfs_fs_parameter_spec, type) ==
	      offsetof(struct fs_parameter_spec, type));
static_assert(offsetof(struct kfs_fs_parameter_spec, opt) ==
	      offsetof(struct fs_parameter_spec, opt));
static_assert(offsetof(struct kfs_fs_parameter_spec, flags) ==
	      offsetof(struct fs_parameter_spec, flags));
static_assert(offsetof(struct kfs_fs_parameter_spec, data) ==
	      offsetof(struct fs_parameter_spec, data));

/* The Rust layer's iomap tables are struct kfs_iomap_ops: the same layout. */
static_assert(sizeof(struct kfs_iomap_ops) == sizeof(struct iomap_ops));
static_assert(offsetof(struct kfs_iomap_ops, iomap_begin) ==
	      offsetof(struct iomap_ops, iomap_begin));
static_assert(offsetof(struct kfs_iomap_ops, iomap_end) ==
	      offsetof(struct iomap_ops, iomap_end));
static_assert(offsetof(struct kfs_iomap_ops, iomap_next) ==
	      offsetof(struct iomap_ops, iomap_next));

int kfs_dax_read(struct dax_device *dax_dev, u64 offset, void *buf, size_t len)
{
	long nr = DIV_ROUND_UP(offset_in_page(offset) + len, PAGE_SIZE);
	void *kaddr;
	long avail;
	int id, ret = 0;

	id = dax_read_lock();
	avail = dax_direct_access(dax_dev, offset >> PAGE_SHIFT, nr, DAX_ACCESS, &kaddr, NULL);
	if (avail < nr)
		ret = avail < 0 ? avail : -ENXIO;
	else if (copy_mc_to_kernel(buf, kaddr + offset_in_page(offset), len))
		ret = -EIO;
	dax_read_unlock(id);
	return ret;
}

void kfs_unmap_all(struct super_block *sb, bool remove)
{
	struct inode *inode, *prev = NULL;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		spin_lock(&inode->i_lock);
		if ((inode_state_read(inode) & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    !S_ISREG(inode->i_mode)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		if (remove) {
			kfs_drop_dax_state(inode);
		} else {
			filemap_invalidate_lock(inode->i_mapping);
			unmap_mapping_range(inode->i_mapping, 0, 0, 1);
			filemap_invalidate_unlock(inode->i_mapping);
		}
		iput(prev);
		prev = inode;
		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(prev);
}

struct inode *kfs_grab_inode_next(struct super_block *sb, u64 ino, struct inode *prev)
{
	struct inode *inode, *found = NULL;

	spin_lock(&sb->s_inode_list_lock);
	/* @prev is referenced, so it is still on the list (evict() takes it off). */
	inode = prev ? list_next_entry(prev, i_sb_list) :
		       list_first_entry(&sb->s_inodes, struct inode, i_sb_list);
	list_for_each_entry_from(inode, &sb->s_inodes, i_sb_list) {
		if (inode->i_ino != ino)
			continue;
		spin_lock(&inode->i_lock);
		if (!(inode_state_read(inode) & (I_FREEING | I_WILL_FREE | I_NEW))) {
			__iget(inode);
			found = inode;
		}
		spin_unlock(&inode->i_lock);
		if (found)
			break;
	}
	spin_unlock(&sb->s_inode_list_lock);
	return found;
}

int kfs_poison_range(struct inode *inode, u64 pos, u64 len, int mf_flags)
{
	pgoff_t first = pos >> PAGE_SHIFT;
	pgoff_t nr = ((pos + len - 1) >> PAGE_SHIFT) - first + 1;
	int err;

	/*
	 * As xfs_dax_failure_fn(): signal the mappers while the DAX entries still
	 * name the pages (-EBUSY only if an entry cannot be locked).
	 */
	/* Without CONFIG_MEMORY_FAILURE no page failure is ever reported. */
	err = IS_ENABLED(CONFIG_MEMORY_FAILURE) ?
		mf_dax_kill_procs(inode->i_mapping, first, nr, mf_flags) : 0;
	/*
	 * mf_dax_kill_procs() unmaps only where it signalled someone; late-kill
	 * processes keep the page mapped. Unmap it everywhere (private copies stay):
	 * faults hold the invalidate lock shared and check the recorded poison, so
	 * none maps it again.
	 */
	filemap_invalidate_lock(inode->i_mapping);
	unmap_mapping_pages(inode->i_mapping, first, nr, false);
	filemap_invalidate_unlock(inode->i_mapping);
	return err;
}

/*
 * One rate limit state per number: a class of messages that someone can fill at
 * will must not silence another one.
 */
#define KFS_RS(i) RATELIMIT_STATE_INIT(kfs_rs[i], 5 * HZ, 10)
static struct ratelimit_state kfs_rs[KFS_RATELIMITS] = {
	KFS_RS(0), KFS_RS(1), KFS_RS(2), KFS_RS(3), KFS_RS(4), KFS_RS(5), KFS_RS(6), KFS_RS(7),
};

bool kfs_ratelimit(unsigned int state)
{
	return __ratelimit(&kfs_rs[state < KFS_RATELIMITS ? state : 0]);
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Test-only race widening (a kind of fault injection, hence only in kernels
 * built with CONFIG_FAULT_INJECTION): while bit N of test_delay_at is set,
 * every pass through delay point N (numbered by the file system) sleeps
 * test_delay_ms. test_delays_entered/test_delays_done count the sleeps begun
 * and ended, so that a test knows when a thread is parked inside the window
 * it wants to race. Root only; never set them outside tests.
 */
static unsigned int kfs_test_delay_at;
static unsigned int kfs_test_delay_ms;
static atomic_t kfs_test_delays_entered = ATOMIC_INIT(0);
static atomic_t kfs_test_delays_done = ATOMIC_INIT(0);
module_param_named(test_delay_at, kfs_test_delay_at, uint, 0600);
MODULE_PARM_DESC(test_delay_at, "TEST ONLY: bit mask of the file system's delay points");
module_param_named(test_delay_ms, kfs_test_delay_ms, uint, 0600);
MODULE_PARM_DESC(test_delay_ms, "TEST ONLY: how long a delay point sleeps");

static int kfs_param_get_atomic(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops kfs_param_atomic_ops = {
	.get = kfs_param_get_atomic,
};
module_param_cb(test_delays_entered, &kfs_param_atomic_ops, &kfs_test_delays_entered, 0400);
module_param_cb(test_delays_done, &kfs_param_atomic_ops, &kfs_test_delays_done, 0400);

/*
 * Test-only: while non-zero, every new inode gets this number, as if
 * get_next_ino() had wrapped around onto it (the tests of lookups by inode
 * number cannot wait for 2^32 allocations).
 */
static unsigned int kfs_test_same_ino;
module_param_named(test_same_ino, kfs_test_same_ino, uint, 0600);
MODULE_PARM_DESC(test_same_ino, "TEST ONLY: inode number of every new inode (0: get_next_ino())");

unsigned int kfs_next_ino(void)
{
	unsigned int ino = READ_ONCE(kfs_test_same_ino);

	return ino ? ino : get_next_ino();
}

void kfs_test_delay(unsigned int point)
{
	unsigned int ms = READ_ONCE(kfs_test_delay_ms);

	if (point >= 32 || !(READ_ONCE(kfs_test_delay_at) & BIT(point)) || !ms)
		return;
	atomic_inc(&kfs_test_delays_entered);
	msleep(ms);
	atomic_inc(&kfs_test_delays_done);
}
#else
void kfs_test_delay(unsigned int point) { }
unsigned int kfs_next_ino(void) { return get_next_ino(); }
#endif

#define KFS_ITREE_START(n) ((n)->start)
#define KFS_ITREE_LAST(n) ((n)->last)
INTERVAL_TREE_DEFINE(struct kfs_itree_node, rb, u64, subtree_last,
		     KFS_ITREE_START, KFS_ITREE_LAST, static, kfs_itree_t)

void kfs_itree_insert(struct kfs_itree_node *node, struct rb_root_cached *root)
{
	kfs_itree_t_insert(node, root);
}

void kfs_itree_remove(struct kfs_itree_node *node, struct rb_root_cached *root)
{
	kfs_itree_t_remove(node, root);
}

struct kfs_itree_node *kfs_itree_first(struct rb_root_cached *root, u64 start, u64 last)
{
	return kfs_itree_t_iter_first(root, start, last);
}

struct kfs_itree_node *kfs_itree_next(struct kfs_itree_node *node, u64 start, u64 last)
{
	return kfs_itree_t_iter_next(node, start, last);
}
