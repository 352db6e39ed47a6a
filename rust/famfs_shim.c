// SPDX-License-Identifier: GPL-2.0
/*
 * famfs C shim; see famfs_shim.h. Nothing here decides anything famfs-specific
 * except where a comment says so.
 */
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include "famfs_shim.h"

/*
 * KABI version of the famfs ioctls. User space compares it with the header it
 * was built against; module_param() is a C macro, hence here.
 */
static int famfs_kabi_version = 43;
module_param(famfs_kabi_version, int, 0444);
MODULE_PARM_DESC(famfs_kabi_version, "famfs ioctl ABI version (read only)");

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
MODULE_PARM_DESC(test_delay_at, "TEST ONLY: bit mask of delay points (1 notify_failure, 2 fill_super, 4 fault)");
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
#endif

static DEFINE_RATELIMIT_STATE(famfs_rs, 5 * HZ, 10);
bool famfs_shim_ratelimit(void) { return __ratelimit(&famfs_rs); }

void famfs_shim_inode_lock(struct inode *inode) { inode_lock(inode); }
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
 * Is @devt a dax character device? 7.3 has no non-allocating dax lookup
 * (dax_dev_get() creates a dax inode for any dev_t, which WARNs when it is
 * freed), so ask the driver core through sysfs which subsystem owns @devt.
 */
static int famfs_devt_is_dax(dev_t devt)
{
	char buf[64];
	struct path p;
	int err;

	snprintf(buf, sizeof(buf), "/sys/dev/char/%u:%u/subsystem", MAJOR(devt), MINOR(devt));
	err = kern_path(buf, LOOKUP_FOLLOW, &p);
	if (err)
		return -ENODEV;
	err = strcmp(p.dentry->d_name.name, "dax") ? -ENODEV : 0;
	path_put(&p);
	return err;
}

loff_t famfs_shim_bdev_file_size(struct file *bdev_file) { return bdev_nr_bytes(file_bdev(bdev_file)); }

int famfs_shim_lookup_source(const char *source, dev_t *devt, bool *is_block)
{
	struct path path;
	struct inode *inode;
	int err;

	if (!source || !*source)
		return -EINVAL;
	err = kern_path(source, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	inode = d_backing_inode(path.dentry);
	*is_block = S_ISBLK(inode->i_mode);
	if (!S_ISCHR(inode->i_mode) && !*is_block) {
		err = -EINVAL;
	} else if ((path.mnt->mnt_flags & MNT_NODEV) ||
		   (path.mnt->mnt_sb->s_iflags & SB_I_NODEV)) {
		/* may_open_dev(), which is not exported */
		err = -EACCES;
	} else {
		*devt = inode->i_rdev;
		err = *is_block ? 0 : famfs_devt_is_dax(*devt);
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
		return invalfc(fc, "famfs: dax=%s is not supported (only dax=always)", param->string);
	return opt;
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

void famfs_shim_holder_sync(void) { synchronize_srcu(&famfs_holder_srcu); }

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

		filemap_invalidate_lock(inode->i_mapping);
		unmap_mapping_range(inode->i_mapping, 0, 0, 1);
		if (remove)
			dax_delete_mapping_range(inode->i_mapping, 0, LLONG_MAX);
		filemap_invalidate_unlock(inode->i_mapping);
		iput(prev);
		prev = inode;
		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(prev);
}

static DEFINE_IOMAP_ITER_NEXT(famfs_iomap_next, famfs_rs_iomap_begin);
const struct iomap_ops famfs_iomap_ops = {
	.iomap_next = famfs_iomap_next,
};

void famfs_shim_dir_touch(struct inode *dir) { inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir)); }
struct dentry *famfs_shim_dget(struct dentry *dentry) { return dget(dentry); }
struct inode *famfs_shim_d_inode(const struct dentry *dentry) { return d_inode(dentry); }
size_t famfs_shim_iov_iter_count(const struct iov_iter *iter) { return iov_iter_count(iter); }
void famfs_shim_iov_iter_truncate(struct iov_iter *iter, u64 count) { iov_iter_truncate(iter, count); }
void famfs_shim_unmap_inode(struct inode *inode) { unmap_mapping_range(inode->i_mapping, 0, 0, 1); }
