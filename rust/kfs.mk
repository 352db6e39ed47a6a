# SPDX-License-Identifier: GPL-2.0
# The kfs layer's part of a file system's Kbuild (the repository's Kbuild, samples/*/Kbuild).
# Before including it, the Kbuild sets
#   kfs_dir     the layer's directory, relative to the Kbuild's (e.g. rust)
#   kfs_root    the crate root's object (e.g. fs_slicefs.o): it includes the bindings
#   kfs_modular y when the file system is built as a module (the headers bindgen reads
#               then see MODULE, as the layer's C does)
# and adds $(kfs-objs), the layer's C, to its module's objects. This file adds the Rust
# cfgs of the feature tests and the module-local bindgen, and exports KFS_BINDINGS_RS,
# the generated file's path, for rust/sys.rs.
kfs-objs := $(kfs_dir)/kfs_helpers.o $(kfs_dir)/kfs_gaps.o

# Linux 7.2 and 7.3 differ in a few interfaces of the layer (rust/compat.rs): each is a
# feature test of the tree being built, like a C module's compat.h probes. The headers
# are grepped; the kernel crate through its metadata (rust/*.rmeta, *.so: what an
# out-of-tree build reads) or, in the kernel tree, its sources. One --cfg per feature
# found (no --check-cfg: the kernel passes none, and one would make rustc check all of
# them).
kfs_has = $(shell grep -qs -- '$(1)' $(2) && echo y)
# 7.2's inode_operations.create ends "umode_t, bool);" on the line after its name.
kfs_create_re := [(]\*create[)] *[(]struct mnt_idmap
kfs_cfg = $(if $(call kfs_has,$(2),$(3)),--cfg=$(1))
rustflags-y += \
	$(call kfs_cfg,kfs_fs_bdev_file,fs_bdev_file_open_by_dev, \
		$(srctree)/include/linux/fs/super.h $(srctree)/include/linux/fs.h) \
	$(call kfs_cfg,kfs_owner_module,OwnerModule, \
		$(objtree)/rust/libmacros.so $(srctree)/rust/macros/vtable.rs) \
	$(call kfs_cfg,kfs_errno_ehwpoison,EHWPOISON, \
		$(objtree)/rust/libkernel.rmeta $(srctree)/rust/kernel/error.rs) \
	$(if $(shell grep -s -A1 '$(kfs_create_re)' $(srctree)/include/linux/fs.h | \
		grep -q 'umode_t, *bool' && echo y),--cfg=kfs_create_excl)

# Module-local bindgen for what kernel::bindings lacks (the options of rust/Makefile, but
# with layout tests: compile-time asserts that the Rust layout is clang's). One Rust type
# per C type: the types kernel::bindings already has, complete or opaque, are left out here
# (--blocklist-type), so their names resolve to kernel::bindings' (rust/sys.rs); a module
# build for the debug kernel checks that no other name is in both (scripts/compile-fail).
kfs_bindgen_flags := \
	--rust-target 1.85 --use-core --with-derive-default --ctypes-prefix ffi \
	--no-debug '.*' --enable-function-attribute-detection \
	--no-doc-comments \
	--with-derive-custom-struct '.*=MaybeZeroable' \
	--with-derive-custom-union '.*=MaybeZeroable' \
	--allowlist-file '.*/include/linux/(dax|iomap|fs_context|fs_parser)\.h' \
	--allowlist-file '.*/kfs_(helpers|gaps|bindings_helper)\.h' \
	--blocklist-type 'fs_context|fs_parameter|fs_parameter_spec|fs_value_type|iomap_ops' \
	--no-recursive-allowlist

# bindgen parses the headers with libclang, so it gets the C flags the layer's C code
# is compiled with. A GCC-built kernel (Debian's) has flags clang does not take: they
# are left out, the target triple added and warnings silenced, as the kernel's own
# rust/Makefile does for kernel::bindings (its bindgen_skip_c_flags of 7.3).
ifdef CONFIG_CC_IS_GCC
kfs_bindgen_skip_c_flags := \
	-mno-fp-ret-in-387 -mpreferred-stack-boundary=% -mskip-rax-setup \
	-mgeneral-regs-only -msign-return-address=% -mindirect-branch=thunk-extern \
	-mindirect-branch-register -mfunction-return=thunk-extern -mrecord-mcount \
	-mabi=lp64 -mindirect-branch-cs-prefix -mstack-protector-guard% -mtraceback=no \
	-mno-pointers-to-nested-functions -mno-string -mno-strict-align -mstrict-align \
	-mdirect-extern-access -mexplicit-relocs -mno-check-zero-division \
	-mno-fdpic -mmultiple -mno-readonly-in-sdata -ffixed-r2 \
	-fconserve-stack -falign-jumps=% -falign-loops=% -femit-struct-debug-baseonly \
	-fno-ipa-cp-clone -fno-ipa-sra -fno-partial-inlining \
	-fplugin-arg-arm_ssp_per_task_plugin-% -fno-reorder-blocks \
	-fno-allow-store-data-races -fasan-shadow-offset=% -fzero-call-used-regs=% \
	-fno-stack-clash-protection -fno-inline-functions-called-once \
	-fsanitize=bounds-strict -fstrict-flex-arrays=% -fmin-function-alignment=% \
	-fzero-init-padding-bits=% -fdiagnostics-show-context \
	-fdiagnostics-show-context=% -fno-isolate-erroneous-paths-dereference \
	--param=% --param asan-%
kfs_bindgen_target_x86 := x86_64-linux-gnu
kfs_bindgen_target_arm64 := aarch64-linux-gnu
kfs_bindgen_cc_flags = $(filter-out $(kfs_bindgen_skip_c_flags),$(c_flags)) \
	-w --target=$(kfs_bindgen_target_$(SRCARCH))
else
kfs_bindgen_cc_flags = $(c_flags)
endif
# c_flags of a generated .rs file are the built-in ones (it is no object of the module),
# so the headers see MODULE only if the layer's C does: when the file system is a module.
kfs_bindgen_cflags = $(filter-out $(CC_FLAGS_LTO),$(kfs_bindgen_cc_flags)) -fno-builtin -D__BINDGEN__ \
	$(if $(filter y,$(kfs_modular)),-DMODULE)

quiet_cmd_kfs_bindgen = BINDGEN $@
      cmd_kfs_bindgen = $(BINDGEN) $< $(kfs_bindgen_flags) -o $@ -- $(kfs_bindgen_cflags)

$(obj)/$(kfs_dir)/kfs_bindings_generated.rs: $(src)/$(kfs_dir)/kfs_bindings_helper.h \
		$(src)/$(kfs_dir)/kfs_helpers.h $(src)/$(kfs_dir)/kfs_gaps.h FORCE
	$(call if_changed_dep,kfs_bindgen)
targets += $(kfs_dir)/kfs_bindings_generated.rs
clean-files += $(kfs_dir)/kfs_bindings_generated.rs

$(obj)/$(kfs_root): $(obj)/$(kfs_dir)/kfs_bindings_generated.rs

# rust/sys.rs includes the generated bindings by this absolute path: they are in the object
# directory, which is not the source directory in an O= kernel build or with MO=.
export KFS_BINDINGS_RS := $(abspath $(obj)/$(kfs_dir)/kfs_bindings_generated.rs)
