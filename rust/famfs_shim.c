// SPDX-License-Identifier: GPL-2.0
/*
 * famfs C shim; see famfs_shim.h. Nothing here decides anything famfs-specific
 * except where a comment says so.
 */
#include <linux/blkdev.h>
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/interval_tree_generic.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/writeback.h>
#include <linux/famfs_ioctl.h>
#include <linux/xarray.h>
#include "famfs_shim.h"

/*
 * KABI version of the famfs ioctls, from the uapi header. User space compares
 * it with the header it was built against, so it reports what this module
 * implements and nothing else: a load-time value other than that is refused
 * (module_param() alone would let "famfs_kabi_version=44" change the report).
 */
static int famfs_kabi_version = FAMFS_KABI_VERSION;

static int famfs_kabi_version_set(const char *val, const struct kernel_param *kp)
{
	int v, err = kstrtoint(val, 0, &v);

	if (err)
		return err;
	return v == FAMFS_KABI_VERSION ? 0 : -EINVAL;
}

static const struct kernel_param_ops famfs_kabi_version_ops = {
	.set = famfs_kabi_version_set,
	.get = param_get_int,
};
module_param_cb(famfs_kabi_version, &famfs_kabi_version_ops, &famfs_kabi_version, 0444);
MODULE_PARM_DESC(famfs_kabi_version, "famfs ioctl ABI version (read only, fixed)");

/*
 * One rate limit per message class: a class any user can fill must not
 * silence the others (above all the device-failure message).
 */
static DEFINE_RATELIMIT_STATE(famfs_rs_user, 5 * HZ, 10);
static DEFINE_RATELIMIT_STATE(famfs_rs_map, 5 * HZ, 10);
static DEFINE_RATELIMIT_STATE(famfs_rs_device, 5 * HZ, 10);
bool famfs_shim_ratelimit(int class)
{
	switch (class) {
	case FAMFS_RL_MAP:
		return __ratelimit(&famfs_rs_map);
	case FAMFS_RL_DEVICE:
		return __ratelimit(&famfs_rs_device);
	default:
		return __ratelimit(&famfs_rs_user);
	}
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Test-only race widening (a kind of fault injection, hence only in kernels
 * built with CONFIG_FAULT_INJECTION): while bit N of test_delay_at is set,
 * every pass through delay point N (enum famfs_delay_point) sleeps
 * test_delay_ms. test_delays_entered/test_delays_done count the sleeps begun
 * and ended, so that a test knows when a thread is parked inside the window
 * it wants to race. Root only; never set them outside tests.
 */
static unsigned int famfs_test_delay_at;
static unsigned int famfs_test_delay_ms;
static atomic_t famfs_test_delays_entered = ATOMIC_INIT(0);
static atomic_t famfs_test_delays_done = ATOMIC_INIT(0);
module_param_named(test_delay_at, famfs_test_delay_at, uint, 0600);
MODULE_PARM_DESC(test_delay_at, "TEST ONLY: bit mask of delay points (1 notify_failure, 2 fill_super, 4 fault, 8 add_daxdev, 16 kill_sb, 32 notify_failure_return, 64 failure_walk)");
module_param_named(test_delay_ms, famfs_test_delay_ms, uint, 0600);
MODULE_PARM_DESC(test_delay_ms, "TEST ONLY: how long a delay point sleeps");

static int famfs_param_get_atomic(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops famfs_param_atomic_ops = {
	.get = famfs_param_get_atomic,
};
module_param_cb(test_delays_entered, &famfs_param_atomic_ops, &famfs_test_delays_entered, 0400);
module_param_cb(test_delays_done, &famfs_param_atomic_ops, &famfs_test_delays_done, 0400);

/*
 * Test-only: while non-zero, every new inode gets this number, as if
 * get_next_ino() had wrapped around onto it (the tests of lookups by inode
 * number cannot wait for 2^32 allocations).
 */
static unsigned int famfs_test_same_ino;
module_param_named(test_same_ino, famfs_test_same_ino, uint, 0600);
MODULE_PARM_DESC(test_same_ino, "TEST ONLY: inode number of every new inode (0: get_next_ino())");

unsigned int famfs_shim_next_ino(void)
{
	unsigned int ino = READ_ONCE(famfs_test_same_ino);

	return ino ? ino : get_next_ino();
}

void famfs_shim_test_delay(unsigned int point)
{
	unsigned int ms = READ_ONCE(famfs_test_delay_ms);

	if (!(READ_ONCE(famfs_test_delay_at) & BIT(point)) || !ms)
		return;
	atomic_inc(&famfs_test_delays_entered);
	msleep(ms);
	atomic_inc(&famfs_test_delays_done);
}
#else
void famfs_shim_test_delay(unsigned int point) { }
unsigned int famfs_shim_next_ino(void) { return get_next_ino(); }
#endif


void famfs_shim_inode_lock(struct inode *inode) { inode_lock(inode); }
bool famfs_shim_inode_trylock(struct inode *inode) { return inode_trylock(inode); }
bool famfs_shim_inode_trylock_shared(struct inode *inode) { return inode_trylock_shared(inode); }
void famfs_shim_inode_unlock(struct inode *inode) { inode_unlock(inode); }
void famfs_shim_inode_lock_shared(struct inode *inode) { inode_lock_shared(inode); }
void famfs_shim_inode_unlock_shared(struct inode *inode) { inode_unlock_shared(inode); }
loff_t famfs_shim_i_size_read(const struct inode *inode) { return i_size_read(inode); }
void famfs_shim_i_size_write(struct inode *inode, loff_t size) { i_size_write(inode, size); }
bool famfs_shim_is_dax(const struct inode *inode) { return IS_DAX(inode); }
struct inode *famfs_shim_file_inode(const struct file *file) { return file_inode(file); }
void famfs_shim_file_accessed(struct file *file) { file_accessed(file); }
struct inode *famfs_shim_iocb_inode(const struct kiocb *iocb) { return file_inode(iocb->ki_filp); }

/*
 * Dax character devices by path. The dax core gives every struct dax_device a
 * minor of its character region ("dax", alloc_chrdev_region() in
 * drivers/dax/super.c), also those with no character device at all: pmem fsdax,
 * device-mapper, virtio-fs, dcssblk. Only device dax (drivers/dax/device.c) and
 * fsdev_dax (drivers/dax/fsdev.c) register a cdev in that region, and theirs is
 * the cdev embedded in the struct dax_device (dax_inode(dax_dev)->i_cdev). So
 * the source is opened: chrdev_open() refuses a number with no registered cdev
 * (-ENXIO) and sets the node's i_cdev to the registered one, of which
 * inode_dax() is the dax device. A number is never turned into a dax device
 * any other way (dax_dev_get() would create one for any number, and the dax
 * pseudo file system's inode hash holds every dax device, foreign ones too).
 *
 * The dax major is learnt once, from a dax device of famfs's own made and killed
 * again at once (alloc_dax(), kill_dax(), put_dax(): what a dax driver does when
 * its probe fails), so that no other character device is ever opened. No path
 * lookup of /sys is needed (the mounting task's namespace may have no /sys).
 */
struct inode *dax_inode(struct dax_device *dax_dev);	/* exported, not in dax.h */
struct dax_device *inode_dax(struct inode *inode);	/* exported, not in dax.h */

static DEFINE_MUTEX(famfs_dax_major_lock);
static unsigned int famfs_dax_major;	/* 0: not known yet (0 is never a char major) */
/*
 * Where a struct dax_device keeps its cdev, learnt from the probe device
 * (dax_dev_get() points the dax inode's i_cdev at it), since the struct is
 * private to drivers/dax; inode_dax() reads i_cdev again, which a racing
 * cdev_del() may clear.
 */
static ptrdiff_t famfs_dax_cdev_offset;

static int famfs_dax_major_find(void)
{
	struct dax_device *probe;
	int err = 0;

	mutex_lock(&famfs_dax_major_lock);
	if (!famfs_dax_major) {
		probe = alloc_dax(NULL, NULL);
		if (IS_ERR(probe)) {
			err = PTR_ERR(probe);
		} else {
			famfs_dax_cdev_offset = (char *)dax_inode(probe)->i_cdev - (char *)probe;
			famfs_dax_major = MAJOR(dax_inode(probe)->i_rdev);
			kill_dax(probe);
			put_dax(probe);
		}
	}
	mutex_unlock(&famfs_dax_major_lock);
	return err;
}

/*
 * The dax device behind @f, an open file of a dax character device node, with a
 * reference for the caller; ERR_PTR(-ENODEV) if there is none.
 */
static struct dax_device *famfs_dax_of_file(struct file *f)
{
	struct inode *node = file_inode(f);
	struct cdev *cdev;

	/*
	 * chrdev_open() set i_cdev to the registered cdev; a racing cdev_del()
	 * (unbind) may clear it again. While @f is open, the cdev holds its parent
	 * (cdev_add()), the dev_dax device, which holds its dax device until
	 * dev_dax_release(): the dax device is live, and we take a reference.
	 */
	cdev = READ_ONCE(node->i_cdev);
	if (cdev) {
		struct dax_device *d = (void *)((char *)cdev - famfs_dax_cdev_offset);

		if (dax_inode(d)->i_cdev == cdev && dax_inode(d)->i_rdev == node->i_rdev) {
			ihold(dax_inode(d));
			return d;
		}
	}
	return ERR_PTR(-ENODEV);
}

/*
 * The dax device behind the character device node at @path, whose number has the
 * dax major, with a reference for the caller (put_dax()); an ERR_PTR otherwise:
 * -ENODEV when no dax character device is registered with that number.
 */
static struct dax_device *famfs_dax_open(const struct path *path)
{
	struct dax_device *dax_dev;
	struct file *f;

	f = dentry_open(path, O_RDONLY, current_cred());
	if (IS_ERR(f))
		return PTR_ERR(f) == -ENXIO ? ERR_PTR(-ENODEV) : ERR_CAST(f);
	dax_dev = famfs_dax_of_file(f);
	fput(f);
	return dax_dev;
}

loff_t famfs_shim_bdev_file_size(struct file *bdev_file) { return bdev_nr_bytes(file_bdev(bdev_file)); }

/*
 * Mount and ADD_DAXDEV sources: a block device (its number; DAX is checked when
 * it is claimed) or a dax character device (*dax: a reference to it).
 */
int famfs_shim_lookup_source(const char *source, dev_t *devt, bool *is_block,
			     struct dax_device **dax)
{
	struct path path;
	struct inode *inode;
	int err;

	*dax = NULL;
	if (!source || !*source)
		return -EINVAL;
	err = famfs_dax_major_find();
	if (err)
		return err;
	err = kern_path(source, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	inode = d_backing_inode(path.dentry);
	*is_block = S_ISBLK(inode->i_mode);
	*devt = inode->i_rdev;
	if (!S_ISCHR(inode->i_mode) && !*is_block) {
		err = -EINVAL;
	} else if ((path.mnt->mnt_flags & MNT_NODEV) ||
		   (path.mnt->mnt_sb->s_iflags & SB_I_NODEV)) {
		/* may_open_dev(), which is not exported */
		err = -EACCES;
	} else if (!*is_block) {
		/* Only the dax core's own character devices are opened. */
		struct dax_device *dax_dev = MAJOR(*devt) == famfs_dax_major ?
			famfs_dax_open(&path) : ERR_PTR(-ENODEV);

		if (IS_ERR(dax_dev))
			err = PTR_ERR(dax_dev);
		else
			*dax = dax_dev;
	}
	path_put(&path);
	return err;
}
const struct fs_parameter_spec famfs_fs_parameters[] = {
	fsparam_u32oct("mode", FAMFS_OPT_MODE),
	fsparam_string("dax", FAMFS_OPT_DAX),
	{}
};

int famfs_shim_parse_param(struct fs_context *fc, struct fs_parameter *param, u32 *mode)
{
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, famfs_fs_parameters, param, &result);
	if (opt < 0)
		return opt;
	if (opt == FAMFS_OPT_MODE)
		*mode = result.uint_32;
	/* famfs is always DAX: "dax=always" is the only accepted value. */
	if (opt == FAMFS_OPT_DAX && strcmp(param->string, "always"))
		return invalfc(fc, "dax=%s is not supported (only dax=always)", param->string);
	return opt;
}

int famfs_shim_fc_error(struct fs_context *fc, int err, const char *msg)
{
	errorfc(fc, "%s", msg);
	return err;
}

void famfs_shim_fc_init(struct fs_context *fc, const struct fs_context_operations *ops,
			void *fs_private)
{
	fc->ops = ops;
	fc->fs_private = fs_private;
}

void *famfs_shim_fc_private(const struct fs_context *fc) { return fc->fs_private; }

void *famfs_shim_fc_take_private(struct fs_context *fc)
{
	void *p = fc->fs_private;

	fc->fs_private = NULL;
	return p;
}

const char *famfs_shim_fc_source(const struct fs_context *fc) { return fc->source; }
struct super_block *famfs_shim_fc_root_sb(const struct fs_context *fc) { return fc->root->d_sb; }
/* The mount's root: a reference to @sb's root dentry, as get_tree must leave it. */
void famfs_shim_fc_set_root(struct fs_context *fc, struct super_block *sb)
{
	fc->root = dget(sb->s_root);
}

void famfs_shim_seq_show_mode(struct seq_file *m, umode_t mode) { seq_printf(m, ",mode=%o", mode); }

vm_fault_t famfs_shim_vmf_error(int err) { return vmf_error(err); }
bool famfs_shim_vmf_is_shared_write(const struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_WRITE) && (vmf->vma->vm_flags & VM_SHARED);
}
struct file *famfs_shim_vmf_file(const struct vm_fault *vmf) { return vmf->vma->vm_file; }
void famfs_shim_sb_start_pagefault(struct super_block *sb) { sb_start_pagefault(sb); }
void famfs_shim_sb_end_pagefault(struct super_block *sb) { sb_end_pagefault(sb); }
void famfs_shim_vma_desc_set_hugepage(struct vm_area_desc *desc) { vma_desc_set_flags(desc, VMA_HUGEPAGE_BIT); }
void famfs_shim_vma_desc_set_vm_ops(struct vm_area_desc *desc, const struct vm_operations_struct *ops)
{
	desc->vm_ops = ops;
}
struct file *famfs_shim_vma_desc_file(const struct vm_area_desc *desc) { return desc->file; }

void famfs_shim_fault_lock(struct inode *inode) { filemap_invalidate_lock_shared(inode->i_mapping); }
void famfs_shim_fault_unlock(struct inode *inode) { filemap_invalidate_unlock_shared(inode->i_mapping); }
void famfs_shim_invalidate_lock(struct inode *inode) { filemap_invalidate_lock(inode->i_mapping); }
void famfs_shim_invalidate_unlock(struct inode *inode) { filemap_invalidate_unlock(inode->i_mapping); }

/*
 * The dax holders famfs has registered, and the SRCU its memory-failure callback
 * runs under; see famfs_shim.h and rust/dax.rs for the protocol.
 */
DEFINE_STATIC_SRCU(famfs_holder_srcu);
static DEFINE_XARRAY(famfs_holders);

/*
 * Serialises giving a claim back (fs_put_dax()) with the dax core revoking it
 * (kill_dax()'s MF_MEM_PRE_REMOVE callback, after which kill_dax() clears the
 * claim itself): see DaxDevice::release_holder in rust/dax.rs.
 */
static DEFINE_MUTEX(famfs_claim_mutex);
void famfs_shim_claim_lock(void) { mutex_lock(&famfs_claim_mutex); }
void famfs_shim_claim_unlock(void) { mutex_unlock(&famfs_claim_mutex); }

int famfs_shim_holder_add(void *holder)
{
	return xa_insert(&famfs_holders, (unsigned long)holder, holder, GFP_KERNEL);
}

void famfs_shim_holder_del(void *holder)
{
	xa_erase(&famfs_holders, (unsigned long)holder);
	/* umount waits for this: expedite, it is one grace period per umount. */
	synchronize_srcu_expedited(&famfs_holder_srcu);
}

int famfs_shim_holder_read_lock(void) { return srcu_read_lock(&famfs_holder_srcu); }
void famfs_shim_holder_read_unlock(int idx) { srcu_read_unlock(&famfs_holder_srcu, idx); }

void *famfs_shim_holder_find(struct dax_device *dax_dev)
{
	void *holder = dax_holder(dax_dev);

	return holder ? xa_load(&famfs_holders, (unsigned long)holder) : NULL;
}

void famfs_shim_holder_sync(void)
{
	struct dax_device *probe;

	synchronize_srcu(&famfs_holder_srcu);
	/*
	 * dax_holder_notify_failure() calls the holder's notify_failure under the dax
	 * core's SRCU (dax_srcu), from before it enters famfs's read side until after it
	 * has returned from famfs's code. That SRCU is static to drivers/dax/super.c,
	 * but kill_dax() synchronises it: a dax device of our own, made and killed at
	 * once (as for the dax major above), waits for every such callback.
	 */
	probe = alloc_dax(NULL, NULL);
	if (IS_ERR(probe)) {
		pr_warn("famfs: cannot wait for the dax core's callbacks: %ld\n", PTR_ERR(probe));
		return;
	}
	kill_dax(probe);
	put_dax(probe);
}

/*
 * Cross-linked files (several files over one memory range): fs/dax keeps, per
 * folio, either its one owner (folio->mapping/index) or a count of sharers
 * (folio->share, in the same word as ->index). dax_associate_entry() and
 * dax_folio_put() update that state under the i_pages lock of the mapping at
 * hand only, so two files' faults and evictions on one folio would race. This
 * lock serialises every such update famfs can cause: faults of cross-linked
 * files and the removal of any file's DAX entries. Lock order: the mapping's
 * invalidate lock, then this one.
 */
static DEFINE_MUTEX(famfs_xlink_mutex);
void famfs_shim_xlink_lock(void) { mutex_lock(&famfs_xlink_mutex); }
void famfs_shim_xlink_unlock(void) { mutex_unlock(&famfs_xlink_mutex); }

/*
 * Removes every user mapping and every DAX entry of @inode, waiting for pinned
 * pages to be released first, as eviction does (dax_break_layout_final()):
 * deleting the entry of a page that still has references makes dax_folio_put()
 * WARN, and the page is then put after its entry is gone. Faults wait on the
 * invalidate lock meanwhile.
 */
void famfs_shim_drop_dax_state(struct inode *inode)
{
	filemap_invalidate_lock(inode->i_mapping);
	unmap_mapping_range(inode->i_mapping, 0, 0, 1);
	famfs_shim_wait_dax_idle(inode);
	mutex_lock(&famfs_xlink_mutex);
	dax_delete_mapping_range(inode->i_mapping, 0, LLONG_MAX);
	mutex_unlock(&famfs_xlink_mutex);
	filemap_invalidate_unlock(inode->i_mapping);
}

void famfs_shim_unmap_all(struct super_block *sb, bool remove)
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
			famfs_shim_drop_dax_state(inode);
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

void famfs_shim_poison_range(struct inode *inode, u64 pos, u64 len, int mf_flags)
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
	if (err && famfs_shim_ratelimit(FAMFS_RL_DEVICE))
		pr_warn("famfs: inode %llu: cannot signal the mappers of a poisoned page: %d\n",
			(unsigned long long)inode->i_ino, err);
	/*
	 * mf_dax_kill_procs() unmaps only where it signalled someone; late-kill
	 * processes keep the page mapped. Unmap it everywhere (private copies stay):
	 * faults hold the invalidate lock shared and check the recorded poison, so
	 * none maps it again.
	 */
	filemap_invalidate_lock(inode->i_mapping);
	unmap_mapping_pages(inode->i_mapping, first, nr, false);
	filemap_invalidate_unlock(inode->i_mapping);
}

/* The Rust layer's iomap tables are struct famfs_iomap_ops: the same layout. */
static_assert(sizeof(struct famfs_iomap_ops) == sizeof(struct iomap_ops));
static_assert(offsetof(struct famfs_iomap_ops, iomap_begin) ==
	      offsetof(struct iomap_ops, iomap_begin));
static_assert(offsetof(struct famfs_iomap_ops, iomap_end) ==
	      offsetof(struct iomap_ops, iomap_end));
static_assert(offsetof(struct famfs_iomap_ops, iomap_next) ==
	      offsetof(struct iomap_ops, iomap_next));

/*
 * fs/dax's entry encoding (fs/dax.c, unchanged since 4.x): value entries, with
 * DAX_ZERO_PAGE (bit 2) and DAX_EMPTY (bit 3) marking entries that hold no
 * device page. fs/dax exports no query for "has this index a page entry".
 */
#define FAMFS_DAX_ZERO_PAGE	(1UL << 2)
#define FAMFS_DAX_EMPTY		(1UL << 3)

bool famfs_shim_dax_entry_present(struct inode *inode, pgoff_t index)
{
	void *entry = xa_load(&inode->i_mapping->i_pages, index);

	return xa_is_value(entry) &&
	       !(xa_to_value(entry) & (FAMFS_DAX_ZERO_PAGE | FAMFS_DAX_EMPTY));
}

pgoff_t famfs_shim_vmf_pgoff(const struct vm_fault *vmf) { return vmf->pgoff; }
bool famfs_shim_vmf_is_write(const struct vm_fault *vmf) { return vmf->flags & FAULT_FLAG_WRITE; }
bool famfs_shim_vm_fault_failed(vm_fault_t ret) { return ret & VM_FAULT_ERROR; }

vm_fault_t famfs_shim_dax_read_fault(struct vm_fault *vmf, const struct iomap_ops *ops)
{
	unsigned int flags = vmf->flags;
	vm_fault_t ret;

	/* As do_page_mkwrite() does: change the flags for one call, then restore them. */
	vmf->flags &= ~(FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE);
	ret = dax_iomap_fault(vmf, 0, NULL, NULL, ops);
	vmf->flags = flags;
	return ret;
}

/* dax_break_layout_final() without its final dax_delete_mapping_range(). */
void famfs_shim_wait_dax_idle(struct inode *inode)
{
	struct page *page;

	while ((page = dax_layout_busy_page_range(inode->i_mapping, 0, LLONG_MAX)))
		wait_var_event(page, dax_page_is_idle(page));
}

bool famfs_shim_dax_unmap_if_idle(struct inode *inode)
{
	return !dax_layout_busy_page_range(inode->i_mapping, 0, LLONG_MAX);
}

void famfs_shim_dax_delete_entries(struct inode *inode)
{
	dax_delete_mapping_range(inode->i_mapping, 0, LLONG_MAX);
}


struct inode *famfs_shim_grab_inode_next(struct super_block *sb, u64 ino, struct inode *prev)
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

void famfs_shim_dir_touch(struct inode *dir) { inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir)); }
struct inode *famfs_shim_d_inode(const struct dentry *dentry) { return d_inode(dentry); }
size_t famfs_shim_iov_iter_count(const struct iov_iter *iter) { return iov_iter_count(iter); }
void famfs_shim_iov_iter_truncate(struct iov_iter *iter, u64 count) { iov_iter_truncate(iter, count); }
void famfs_shim_unmap_inode(struct inode *inode) { unmap_mapping_range(inode->i_mapping, 0, 0, 1); }

/* iput()'s fast path alone: drops a reference that is not the last. */
bool famfs_shim_iput_unless_last(struct inode *inode)
{
	return atomic_add_unless(&inode->i_count, -1, 1);
}
ssize_t famfs_shim_generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	return generic_write_sync(iocb, count);
}
int famfs_shim_mnt_want_write_file(struct file *file) { return mnt_want_write_file(file); }
void famfs_shim_mnt_drop_write_file(struct file *file) { mnt_drop_write_file(file); }

int famfs_shim_dax_writepages(struct address_space *mapping, struct dax_device *dax,
			      struct writeback_control *wbc)
{
	return dax_writeback_mapping_range(mapping, dax, wbc);
}

bool famfs_shim_wbc_sync_all(const struct writeback_control *wbc)
{
	return wbc->sync_mode == WB_SYNC_ALL;
}

int famfs_shim_dax_writeback(struct inode *inode, struct dax_device *dax, loff_t start, loff_t end)
{
	struct writeback_control wbc = {
		.sync_mode = WB_SYNC_ALL,
		.nr_to_write = LONG_MAX,
		.range_start = start,
		.range_end = end,
	};

	return dax_writeback_mapping_range(inode->i_mapping, dax, &wbc);
}

#define FAMFS_ITREE_START(n) ((n)->start)
#define FAMFS_ITREE_LAST(n) ((n)->last)
INTERVAL_TREE_DEFINE(struct famfs_itree_node, rb, u64, subtree_last,
		     FAMFS_ITREE_START, FAMFS_ITREE_LAST, static, famfs_itree_t)

void famfs_itree_insert(struct famfs_itree_node *node, struct rb_root_cached *root)
{
	famfs_itree_t_insert(node, root);
}

void famfs_itree_remove(struct famfs_itree_node *node, struct rb_root_cached *root)
{
	famfs_itree_t_remove(node, root);
}

struct famfs_itree_node *famfs_itree_first(struct rb_root_cached *root, u64 start, u64 last)
{
	return famfs_itree_t_iter_first(root, start, last);
}

struct famfs_itree_node *famfs_itree_next(struct famfs_itree_node *node, u64 start, u64 last)
{
	return famfs_itree_t_iter_next(node, start, last);
}

int famfs_shim_dax_read(struct dax_device *dax_dev, u64 offset, void *buf, size_t len)
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

/*
 * DAXDEV_OPEN by file descriptor: the dax device that @fd, an open file of the
 * calling process, is a character device node of (*dax: a reference to it, as
 * famfs_shim_lookup_source() gives). -EBADF if @fd is not open (or is an
 * O_PATH descriptor), -EINVAL if it is not a character device, -ENODEV if it
 * is not a registered dax character device.
 */
int famfs_shim_lookup_fd(int fd, dev_t *devt, struct dax_device **dax)
{
	CLASS(fd, f)(fd);
	struct dax_device *dax_dev;
	struct inode *inode;
	int err;

	*dax = NULL;
	if (fd_empty(f))
		return -EBADF;
	err = famfs_dax_major_find();
	if (err)
		return err;
	inode = file_inode(fd_file(f));
	if (!S_ISCHR(inode->i_mode))
		return -EINVAL;
	*devt = inode->i_rdev;
	if (MAJOR(*devt) != famfs_dax_major)
		return -ENODEV;
	dax_dev = famfs_dax_of_file(fd_file(f));
	if (IS_ERR(dax_dev))
		return PTR_ERR(dax_dev);
	*dax = dax_dev;
	return 0;
}
