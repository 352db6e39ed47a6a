// SPDX-License-Identifier: GPL-2.0
/*
 * kfs gaps; see kfs_gaps.h. Each section is one workaround and names the patch
 * under patches/ that would delete it.
 */
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/srcu.h>
#include <linux/xarray.h>
#include "kfs_helpers.h"
#include "kfs_gaps.h"

/*
 * Gap 1: dax character devices by path or file descriptor. Deleted by
 * patches/0001-dax-add-dax_dev_get_by_file.patch (the dax core finds the dax
 * device behind an open file of its character device) and
 * patches/0002-fs-export-may_open_dev.patch (the nodev check below).
 *
 * The dax core gives every struct dax_device a minor of its character region
 * ("dax", alloc_chrdev_region() in drivers/dax/super.c), also those with no
 * character device at all: pmem fsdax, device-mapper, virtio-fs, dcssblk. Only
 * device dax (drivers/dax/device.c) and fsdev_dax (drivers/dax/fsdev.c) register
 * a cdev in that region, and theirs is the cdev embedded in the struct dax_device
 * (dax_inode(dax_dev)->i_cdev). So the source is opened: chrdev_open() refuses a
 * number with no registered cdev (-ENXIO) and sets the node's i_cdev to the
 * registered one, of which inode_dax() is the dax device. A number is never
 * turned into a dax device any other way (dax_dev_get() would create one for any
 * number, and the dax pseudo file system's inode hash holds every dax device,
 * foreign ones too).
 *
 * The dax major is learnt once, from a dax device of the module's own made and
 * killed again at once (alloc_dax(), kill_dax(), put_dax(): what a dax driver
 * does when its probe fails), so that no other character device is ever opened.
 * No path lookup of /sys is needed (the mounting task's namespace may have no
 * /sys).
 */
struct inode *dax_inode(struct dax_device *dax_dev);	/* exported, not in dax.h */
struct dax_device *inode_dax(struct inode *inode);	/* exported, not in dax.h */

static DEFINE_MUTEX(kfs_dax_major_lock);
static unsigned int kfs_dax_major;	/* 0: not known yet (0 is never a char major) */
/*
 * Where a struct dax_device keeps its cdev, learnt from the probe device
 * (dax_dev_get() points the dax inode's i_cdev at it), since the struct is
 * private to drivers/dax; inode_dax() reads i_cdev again, which a racing
 * cdev_del() may clear.
 */
static ptrdiff_t kfs_dax_cdev_offset;

static int kfs_dax_major_find(void)
{
	struct dax_device *probe;
	int err = 0;

	mutex_lock(&kfs_dax_major_lock);
	if (!kfs_dax_major) {
		probe = alloc_dax(NULL, NULL);
		if (IS_ERR(probe)) {
			err = PTR_ERR(probe);
		} else {
			kfs_dax_cdev_offset = (char *)dax_inode(probe)->i_cdev - (char *)probe;
			kfs_dax_major = MAJOR(dax_inode(probe)->i_rdev);
			kill_dax(probe);
			put_dax(probe);
		}
	}
	mutex_unlock(&kfs_dax_major_lock);
	return err;
}

/*
 * The dax device behind @f, an open file of a dax character device node, with a
 * reference for the caller; ERR_PTR(-ENODEV) if there is none.
 */
static struct dax_device *kfs_dax_of_file(struct file *f)
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
		struct dax_device *d = (void *)((char *)cdev - kfs_dax_cdev_offset);

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
static struct dax_device *kfs_dax_open(const struct path *path)
{
	struct dax_device *dax_dev;
	struct file *f;

	f = dentry_open(path, O_RDONLY, current_cred());
	if (IS_ERR(f))
		return PTR_ERR(f) == -ENXIO ? ERR_PTR(-ENODEV) : ERR_CAST(f);
	dax_dev = kfs_dax_of_file(f);
	fput(f);
	return dax_dev;
}

int kfs_lookup_source(const char *source, dev_t *devt, bool *is_block,
		      struct dax_device **dax)
{
	struct path path;
	struct inode *inode;
	int err;

	*dax = NULL;
	if (!source || !*source)
		return -EINVAL;
	err = kfs_dax_major_find();
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
		struct dax_device *dax_dev = MAJOR(*devt) == kfs_dax_major ?
			kfs_dax_open(&path) : ERR_PTR(-ENODEV);

		if (IS_ERR(dax_dev))
			err = PTR_ERR(dax_dev);
		else
			*dax = dax_dev;
	}
	path_put(&path);
	return err;
}

int kfs_lookup_fd(int fd, dev_t *devt, struct dax_device **dax)
{
	CLASS(fd, f)(fd);
	struct dax_device *dax_dev;
	struct inode *inode;
	int err;

	*dax = NULL;
	if (fd_empty(f))
		return -EBADF;
	err = kfs_dax_major_find();
	if (err)
		return err;
	inode = file_inode(fd_file(f));
	if (!S_ISCHR(inode->i_mode))
		return -EINVAL;
	*devt = inode->i_rdev;
	if (MAJOR(*devt) != kfs_dax_major)
		return -ENODEV;
	dax_dev = kfs_dax_of_file(fd_file(f));
	if (IS_ERR(dax_dev))
		return PTR_ERR(dax_dev);
	*dax = dax_dev;
	return 0;
}

/*
 * Gap 2: holders and their callbacks. Deleted by
 * patches/0003-dax-fs_put_dax-gives-back-only-its-own-claim-and-wai.patch: fs_put_dax()
 * then gives back only its own claim (so no claim lock orders it with
 * kill_dax()) and waits for the callbacks already running (so no holder table
 * and no SRCU of our own are needed, and module exit needs no probe device).
 *
 * The dax holders the module has registered, and the SRCU its memory-failure
 * callback runs under; see rust/dax.rs for the protocol.
 */
DEFINE_STATIC_SRCU(kfs_holder_srcu);
static DEFINE_XARRAY(kfs_holders);

/*
 * Serialises giving a claim back (fs_put_dax()) with the dax core revoking it
 * (kill_dax()'s MF_MEM_PRE_REMOVE callback, after which kill_dax() clears the
 * claim itself): see DaxDevice::release_holder in rust/dax.rs.
 */
static DEFINE_MUTEX(kfs_claim_mutex);
void kfs_claim_lock(void) { mutex_lock(&kfs_claim_mutex); }
void kfs_claim_unlock(void) { mutex_unlock(&kfs_claim_mutex); }

int kfs_holder_add(void *holder)
{
	return xa_insert(&kfs_holders, (unsigned long)holder, holder, GFP_KERNEL);
}

void kfs_holder_del(void *holder)
{
	xa_erase(&kfs_holders, (unsigned long)holder);
	/* umount waits for this: expedite, it is one grace period per umount. */
	synchronize_srcu_expedited(&kfs_holder_srcu);
}

int kfs_holder_read_lock(void) { return srcu_read_lock(&kfs_holder_srcu); }
void kfs_holder_read_unlock(int idx) { srcu_read_unlock(&kfs_holder_srcu, idx); }

void *kfs_holder_find(struct dax_device *dax_dev)
{
	void *holder = dax_holder(dax_dev);

	return holder ? xa_load(&kfs_holders, (unsigned long)holder) : NULL;
}

void kfs_holder_sync(void)
{
	struct dax_device *probe;

	synchronize_srcu(&kfs_holder_srcu);
	/*
	 * dax_holder_notify_failure() calls the holder's notify_failure under the dax
	 * core's SRCU (dax_srcu), from before it enters our read side until after it
	 * has returned from the module's code. That SRCU is static to
	 * drivers/dax/super.c, but kill_dax() synchronises it: a dax device of our
	 * own, made and killed at once (as for the dax major above), waits for every
	 * such callback.
	 */
	probe = alloc_dax(NULL, NULL);
	if (IS_ERR(probe)) {
		pr_warn("%s: cannot wait for the dax core's callbacks: %ld\n",
			KBUILD_MODNAME, PTR_ERR(probe));
		return;
	}
	kill_dax(probe);
	put_dax(probe);
}

/*
 * Gap 3: fs/dax's entry encoding (fs/dax.c, unchanged since 4.x): value entries,
 * with DAX_ZERO_PAGE (bit 2) and DAX_EMPTY (bit 3) marking entries that hold no
 * device page. fs/dax exports no query for "has this index a page entry".
 * Deleted by patches/0004-dax-add-dax_mapping_entry_present.patch.
 */
#define KFS_DAX_ZERO_PAGE	(1UL << 2)
#define KFS_DAX_EMPTY		(1UL << 3)

bool kfs_dax_entry_present(struct inode *inode, pgoff_t index)
{
	void *entry = xa_load(&inode->i_mapping->i_pages, index);

	return xa_is_value(entry) &&
	       !(xa_to_value(entry) & (KFS_DAX_ZERO_PAGE | KFS_DAX_EMPTY));
}

/*
 * Gap 4: files that share memory (several files over one memory range). fs/dax
 * keeps, per folio, either its one owner (folio->mapping/index) or a count of
 * sharers (folio->share, in the same word as ->index). dax_associate_entry() and
 * dax_folio_put() update that state under the i_pages lock of the mapping at hand
 * only, so two files' faults and evictions on one folio would race. This lock
 * serialises every such update the file system can cause: faults of files that
 * share memory and the removal of any file's DAX entries. Lock order: the
 * mapping's invalidate lock, then this one. Deleted by
 * patches/0005-dax-serialise-the-sharing-state-of-a-folio-across-ma.patch (fs/dax takes a
 * lock of its own there), with which kfs_wait_dax_idle() and
 * kfs_drop_dax_state() become dax_break_layout_final(); kfs_dax_read_fault() by
 * patches/0006-dax-add-dax_iomap_read_fault.patch.
 */
static DEFINE_MUTEX(kfs_xlink_mutex);
void kfs_xlink_lock(void) { mutex_lock(&kfs_xlink_mutex); }
void kfs_xlink_unlock(void) { mutex_unlock(&kfs_xlink_mutex); }

vm_fault_t kfs_dax_read_fault(struct vm_fault *vmf, const struct iomap_ops *ops)
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
void kfs_wait_dax_idle(struct inode *inode)
{
	struct page *page;

	while ((page = dax_layout_busy_page_range(inode->i_mapping, 0, LLONG_MAX)))
		wait_var_event(page, dax_page_is_idle(page));
}

/*
 * Removes every user mapping and every DAX entry of @inode, waiting for pinned
 * pages to be released first, as eviction does (dax_break_layout_final()):
 * deleting the entry of a page that still has references makes dax_folio_put()
 * WARN, and the page is then put after its entry is gone. Faults wait on the
 * invalidate lock meanwhile.
 */
void kfs_drop_dax_state(struct inode *inode)
{
	filemap_invalidate_lock(inode->i_mapping);
	unmap_mapping_range(inode->i_mapping, 0, 0, 1);
	kfs_wait_dax_idle(inode);
	mutex_lock(&kfs_xlink_mutex);
	dax_delete_mapping_range(inode->i_mapping, 0, LLONG_MAX);
	mutex_unlock(&kfs_xlink_mutex);
	filemap_invalidate_unlock(inode->i_mapping);
}
