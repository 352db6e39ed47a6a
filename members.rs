// SPDX-License-Identifier: GPL-2.0

//! The member devices of a mount (KABI 44): devices 1 to 63 of a multi-device famfs,
//! registered by user space with `FAMFSIOC_ADD_DAXDEV` (or `FAMFSIOC_DAXDEV_OPEN`) in log
//! order, and found again by `iomap_begin` for every access to a file on them.
//!
//! A member is claimed with the mount's superblock as holder, like the primary (device 0,
//! the mount source), so no other mount or fs-dax user can have it, and it stays claimed
//! until unmount (`kill_sb` releases every member, then the mount state drops them). It
//! is never unregistered while mounted: an installed map may name it. So the table is
//! append-only, each slot set once, and lookups take no lock.
//!
//! The rules (what is a no-op, what conflicts) are the pure `logic/daxdev.rs`.

use crate::{
    debug::{
        test_delay,
        warn_ratelimited,
        DelayPoint, //
    },
    ioctl::user_ptr,
    kfs::{
        capable_sys_rawio,
        dax::{
            lookup_fd,
            lookup_source,
            Source, //
        },
    },
    logic::daxdev::{
        check_member,
        plan_add,
        sb_dev_uuid,
        AddPlan,
        DevErrno,
        DevError,
        Known, //
    },
    logic::{
        IocAddDaxdev,
        IocDaxdevFd,
        IocDaxdevPath,
        IOC_ADD_DAXDEV_SIZE,
        IOC_DAXDEV_FD_SIZE,
        IOC_DAXDEV_PATH_SIZE,
        MAX_DAXDEVS,
        SB_HEAD_LEN, //
    },
    DaxDevice,
    Inode,
    MountState, //
};
use kernel::{
    new_mutex,
    prelude::*,
    sync::{
        Mutex,
        SetOnce, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// One registered member device.
pub(crate) struct Member {
    /// The device, claimed by the mount.
    pub(crate) dax: DaxDevice,
    /// Its `ts_dev_uuid`, as registered.
    uuid: [u8; 16],
}

/// The members of one mount: slot `i` holds device `i + 1`.
#[pin_data]
pub(crate) struct Members {
    slots: [SetOnce<Member>; MAX_DAXDEVS - 1],
    /// Held by a registration from its checks until its slot is set, so that the table
    /// the checks saw is the table the device joins (indices stay dense, a uuid unique).
    #[pin]
    registering: Mutex<()>,
}

impl Members {
    /// An empty table.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            slots: [const { SetOnce::new() }; MAX_DAXDEVS - 1],
            registering <- new_mutex!(()),
        })
    }

    /// Device `index` (1 and up), if registered.
    pub(crate) fn get(&self, index: usize) -> Option<&Member> {
        self.slots.get(index.checked_sub(1)?)?.as_ref()
    }

    /// The registered members in index order. Slots are set in order, so the first
    /// empty one ends the list.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Member> {
        self.slots.iter().map_while(|s| s.as_ref())
    }

    /// The highest registered index (0: only the primary).
    pub(crate) fn max_index(&self) -> u32 {
        // CAST: at most MAX_DAXDEVS - 1 members.
        self.iter().count() as u32
    }
}

/// The `ts_dev_uuid` of the primary's superblock, if it has one.
fn primary_uuid(dax: &DaxDevice) -> Option<[u8; 16]> {
    let mut head = [0u8; SB_HEAD_LEN];
    dax.read(0, &mut head).ok()?;
    sb_dev_uuid(&head)
}

/// Refuses a registration, saying why (rate limited).
fn refuse(inode: &Inode, req: &IocAddDaxdev, e: DevError) -> Error {
    warn_ratelimited!(
        @Map,
        "inode {}: ADD_DAXDEV index {} refused: {}\n",
        inode.ino(),
        req.index,
        e.as_str()
    );
    match e.errno() {
        DevErrno::Inval => EINVAL,
        DevErrno::NoSpace => ENOSPC,
        DevErrno::Range => ERANGE,
        DevErrno::Exist => EEXIST,
    }
}

/// The registered devices as `logic/daxdev.rs` sees them, the primary first. Called with
/// `registering` held.
fn known_devices(state: &MountState) -> Result<KVec<Known>> {
    let mut known = KVec::with_capacity(MAX_DAXDEVS, GFP_KERNEL)?;
    known.push(
        Known {
            uuid: primary_uuid(state.dax()),
            size: state.dax().size(),
        },
        GFP_KERNEL,
    )?;
    for m in state.members().iter() {
        known.push(
            Known {
                uuid: Some(m.uuid),
                size: m.dax.size(),
            },
            GFP_KERNEL,
        )?;
    }
    Ok(known)
}

/// `FAMFSIOC_DAXDEV_OPEN` by path (`struct famfs_ioc_daxdev` of 24 bytes): registers the
/// dax device at the path as device `index`, as `ADD_DAXDEV` does, taking its uuid from
/// its own superblock and its size from the device. A no-op for an index already
/// registered, whatever the path names. `EINVAL` for non-zero flags, a path length of 0
/// or `PATH_MAX` and up, or an index of 64 and up.
pub(crate) fn daxdev_open_path(inode: &Inode, state: &MountState, arg: UserPtr) -> Result<i64> {
    if !capable_sys_rawio() {
        warn_ratelimited!("inode {}: DAXDEV_OPEN needs CAP_SYS_RAWIO\n", inode.ino());
        return Err(EPERM);
    }
    let req = IocDaxdevPath::parse(&UserSlice::new(arg, IOC_DAXDEV_PATH_SIZE).reader().read()?);
    // CAST: PATH_MAX is 4096.
    let len = req
        .path_len(kernel::bindings::PATH_MAX as usize)
        .ok_or(EINVAL)?;
    // CAST: below MAX_DAXDEVS (checked by `path_len`).
    let index = req.index as usize;
    if state.device(index).is_some() {
        return Ok(0);
    }
    let mut path = KVec::from_elem(0u8, len + 1, GFP_KERNEL)?;
    UserSlice::new(user_ptr(req.path)?, len)
        .reader()
        .read_slice(&mut path[..len])?;
    // A NUL inside the path: not the path the length says.
    let name = CStr::from_bytes_with_nul(&path).map_err(|_| EINVAL)?;
    open_member(inode, state, index, lookup_source(name))
}

/// `FAMFSIOC_DAXDEV_OPEN` by file descriptor (`struct famfs_ioc_daxdev` of 16 bytes, the
/// payload of FUSE's `FUSE_DEV_IOC_DAXDEV_OPEN`): registers the dax device `fd` is open on
/// as device `daxdev_index`, as [`daxdev_open_path`] does the device at a path. `EINVAL`
/// for non-zero flags or an index of 64 and up; `EBADF` for a descriptor not open.
pub(crate) fn daxdev_open_fd(inode: &Inode, state: &MountState, arg: UserPtr) -> Result<i64> {
    if !capable_sys_rawio() {
        warn_ratelimited!("inode {}: DAXDEV_OPEN needs CAP_SYS_RAWIO\n", inode.ino());
        return Err(EPERM);
    }
    let req = IocDaxdevFd::parse(&UserSlice::new(arg, IOC_DAXDEV_FD_SIZE).reader().read()?);
    if req.flags != 0 || req.index >= MAX_DAXDEVS as u64 {
        return Err(EINVAL);
    }
    // CAST: below MAX_DAXDEVS.
    let index = req.index as usize;
    if state.device(index).is_some() {
        return Ok(0);
    }
    open_member(inode, state, index, lookup_fd(req.fd))
}

/// Claims a would-be member for the mount of `inode` and reads its superblock head.
/// `cannot` turns an error and its reason into the error returned (after logging it).
fn claim_member(
    inode: &Inode,
    src: Result<Source>,
    cannot: &dyn Fn(Error, &str) -> Error,
) -> Result<(DaxDevice, [u8; SB_HEAD_LEN])> {
    let src = src.map_err(|e| cannot(e, "not a usable dax device"))?;
    if !src.is_char() {
        return Err(cannot(EINVAL, "a member must be a dax character device"));
    }
    let dax = DaxDevice::claim(src, inode.super_block())
        .map_err(|e| cannot(e, "cannot claim it (held elsewhere, or not fsdev_dax)"))?;
    let mut head = [0u8; SB_HEAD_LEN];
    dax.read(0, &mut head)
        .map_err(|e| cannot(e, "cannot read its superblock"))?;
    Ok((dax, head))
}

/// Registers the device `src` names as member `index` (`DAXDEV_OPEN`): its uuid is its
/// superblock's, its size the device's, and the rules are `ADD_DAXDEV`'s (dense indices,
/// one index per uuid). A no-op if `index` is registered meanwhile.
pub(crate) fn open_member(
    inode: &Inode,
    state: &MountState,
    index: usize,
    src: Result<Source>,
) -> Result<i64> {
    let members = state.members();
    let _registering = members.registering.lock();
    if state.device(index).is_some() {
        return Ok(0);
    }
    let cannot = |e: Error, why: &str| {
        warn_ratelimited!(
            @Map,
            "inode {}: DAXDEV_OPEN index {}: {} ({:?})\n",
            inode.ino(),
            index,
            why,
            e
        );
        e
    };
    if index != members.iter().count() + 1 {
        return Err(cannot(ERANGE, "the index skips a free index"));
    }
    let (dax, head) = claim_member(inode, src, &cannot)?;
    let uuid = sb_dev_uuid(&head).ok_or_else(|| cannot(EINVAL, "no famfs superblock"))?;
    let mut req = IocAddDaxdev::zeroed();
    req.uuid = uuid;
    req.size = dax.size();
    // CAST: below MAX_DAXDEVS.
    req.index = index as u32;
    // `plan_add` wants a name: the device is found already.
    req.name[0] = b'-';
    let known = known_devices(state)?;
    match plan_add(&req, &known).map_err(|e| refuse(inode, &req, e))? {
        AddPlan::Present => return Ok(0),
        AddPlan::Register(i) if i == index => {}
        AddPlan::Register(_) => return Err(EINVAL),
    }
    check_member(&req, dax.size(), &head).map_err(|e| refuse(inode, &req, e))?;
    test_delay(DelayPoint::AddDaxdev);
    if dax.holder().failed() {
        return Err(cannot(ENODEV, "it failed while being added"));
    }
    let slot = members.slots.get(index - 1).ok_or(EINVAL)?;
    if !slot.populate(Member { dax, uuid }) {
        return Err(EBUSY);
    }
    Ok(0)
}

/// `FAMFSIOC_ADD_DAXDEV`: registers the named device as device `index`, or does nothing
/// if that (uuid, index) is registered already. Every failure leaves the table as it was
/// (a device claimed for the checks is released when dropped); a device that fails while
/// being added is `ENODEV`.
pub(crate) fn add_daxdev(inode: &Inode, state: &MountState, arg: UserPtr) -> Result<i64> {
    if !capable_sys_rawio() {
        warn_ratelimited!("inode {}: ADD_DAXDEV needs CAP_SYS_RAWIO\n", inode.ino());
        return Err(EPERM);
    }
    let req = IocAddDaxdev::parse(&UserSlice::new(arg, IOC_ADD_DAXDEV_SIZE).reader().read()?);
    // The path lookup (`kern_path`, which may sleep on other file systems) needs no
    // lock: it only turns the name into a device number and opens nothing, and the
    // number may go stale after it with or without the lock (the claim below finds a
    // device that is gone). So it runs before `registering`, and its result, error or
    // not, is used only if the device is to be registered: a no-op (a known pair)
    // neither opens nor claims the device, whatever its path names now.
    let name = req
        .name_with_nul()
        .and_then(|n| CStr::from_bytes_with_nul(n).ok());
    let lookup = name.map(|n| (n, lookup_source(n)));
    let members = state.members();
    let _registering = members.registering.lock();
    let known = known_devices(state)?;
    let index = match plan_add(&req, &known).map_err(|e| refuse(inode, &req, e))? {
        AddPlan::Present => return Ok(0),
        AddPlan::Register(index) => index,
    };
    let slot = index
        .checked_sub(1)
        .and_then(|i| members.slots.get(i))
        .ok_or(EINVAL)?;
    let (name, src) = lookup.ok_or_else(|| refuse(inode, &req, DevError::BadName))?;
    let cannot = |e: Error, why: &str| {
        warn_ratelimited!(
            @Map,
            "inode {}: ADD_DAXDEV index {}: cannot use {:?}: {} ({:?})\n",
            inode.ino(),
            index,
            name,
            why,
            e
        );
        e
    };
    let (dax, head) = claim_member(inode, src, &cannot)?;
    check_member(&req, dax.size(), &head).map_err(|e| refuse(inode, &req, e))?;
    test_delay(DelayPoint::AddDaxdev);
    // A failure reported since the claim was only recorded in the holder (no file can be
    // on the device yet, there was nothing to unmap): do not register a failed device,
    // as `fill_super` does not mount one. Dropping `dax` gives the claim back. A failure
    // reported after this check is recorded the same way and the member joins failed:
    // the same as a failure just after the call returned (files on it get `ENODEV`).
    if dax.holder().failed() {
        return Err(cannot(ENODEV, "it failed while being added"));
    }
    // The slot is empty: it is past the last member and we hold `registering`.
    if !slot.populate(Member {
        dax,
        uuid: req.uuid,
    }) {
        return Err(EBUSY);
    }
    Ok(0)
}

/// `FAMFSIOC_GET_MAX_DAXDEV`: the highest registered device index.
pub(crate) fn get_max_daxdev(state: &MountState, arg: UserPtr) -> Result<i64> {
    let max = state.members().max_index();
    UserSlice::new(arg, size_of::<u32>())
        .writer()
        .write_slice(&max.to_ne_bytes())?;
    Ok(0)
}
