#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/guest.sh raw lines into a Markdown table (and a PNG chart when matplotlib
is available): median and spread of each phase, ratio to raw device dax (mmap phases)
and to ext4/xfs (syscall phases). Usage: report.py RAW OUTDIR KERNEL MACHINE [CLOCK]
CLOCK is "icount" (the guest ran on QEMU's instruction-count clock) or "wall"."""
import collections
import datetime
import statistics
import sys

raw, outdir, kernel, machine = sys.argv[1:5]
clock = sys.argv[5] if len(sys.argv) > 5 else "wall"
vals = collections.defaultdict(list)
units, flags = {}, collections.defaultdict(list)
for line in open(raw):
    f = line.split()
    if len(f) < 5:
        continue
    rep, target, phase, value, unit = f[:5]
    extra = dict(kv.split("=", 1) for kv in f[5:] if "=" in kv)
    try:
        vals[(target, phase)].append(float(value))
    except ValueError:
        continue
    units[phase] = unit
    if phase == "mmap_cold_write" and target in ("famfs", "ext4", "xfs"):
        if int(extra.get("pte", "0")) or int(extra.get("fallback", "0")):
            flags[target].append(f"rep {rep}: pte={extra.get('pte')} fallback={extra.get('fallback')}")
    # Device dax faults have no fs_dax tracepoints: no fault counts for it.
    if phase == "mmap_cold_write" and target != "devdax":
        # The multi-device targets' own rows (their files are 1 GiB too).
        pre = "md_" if target.startswith("md-") else ""
        vals[(target, pre + "pmd_faults")].append(float(extra.get("pmd", "-1")))
        vals[(target, pre + "pte_faults")].append(float(extra.get("pte", "-1")))
        units[pre + "pmd_faults"] = units[pre + "pte_faults"] = "per GiB"


def med(t, p):
    v = vals.get((t, p))
    return statistics.median(v) if v else None


targets = ["devdax", "famfs", "ext4", "xfs"]
phases = [p for p in dict.fromkeys(p for (_, p) in vals) if any((t, p) in vals for t in targets)]
date = datetime.date.today().isoformat()
out = [f"# famfs benchmarks ({date})", "",
       f"Kernel: `{kernel}` (perf flavour). Machine: {machine}.",
       *(["Guest under QEMU TCG with `-icount shift=0` (no KVM here): its clock advances one",
          "nanosecond per guest instruction, so every number counts the CPU work of a path,",
          "deterministically and whatever the host was doing. Memory itself is not modelled",
          "(an access costs one instruction): cache and TLB effects of real hardware are not in it."]
         if clock == "icount" else
         ["Guest under QEMU TCG (no KVM here): absolute numbers are emulation speed;",
          "compare ratios within this run only."]),
       "Median of the repetitions, [min–max]; ratio = median / median of the reference column.", ""]
out.append("| phase | unit | " + " | ".join(targets) + " | famfs/devdax | famfs/ext4 | famfs/xfs |")
out.append("|---" * (len(targets) + 5) + "|")
for p in phases:
    cells = []
    for t in targets:
        v = vals.get((t, p))
        cells.append(f"{statistics.median(v):.3g} [{min(v):.3g}–{max(v):.3g}]" if v else "n/a")
    fam = med("famfs", p)

    def ratio(ref):
        r = med(ref, p)
        return f"{fam / r:.2f}" if fam is not None and r else "n/a"
    out.append(f"| {p} | {units.get(p, '')} | " + " | ".join(cells) +
               f" | {ratio('devdax')} | {ratio('ext4')} | {ratio('xfs')} |")
# Multi-device famfs (bench/multidev.sh): a file striped over three devices against one
# on one device, ratio striped / one.
md_phases = [p for p in dict.fromkeys(p for (t, p) in vals if t == "md-single")
             if (("md-striped3", p) in vals)]
extra = [(t, p) for (t, p) in vals if t not in targets and not t.startswith("md-")]
if extra:
    out += ["", "| famfs file | phase | median | unit | ratio to simple |", "|---|---|---|---|---|"]
    simple = med("famfs-simple", "randread_4k")
    for (t, p) in sorted(extra):
        m = med(t, p)
        r = f"{m / simple:.3f}" if simple and p == "randread_4k" else ""
        out.append(f"| {t} | {p} | {m:.4g} | {units.get(p, '')} | {r} |")
if md_phases:
    out += ["", "Multi-device famfs: a file striped over three devices (2 MiB chunks) against one",
            "on one device, same size (bench/multidev.sh). The emulated devices share one host",
            "memory: this is famfs's CPU cost per access, not the bandwidth striping adds.", "",
            "| phase | unit | one device | striped over 3 | striped/one |", "|---|---|---|---|---|"]
    for p in md_phases:
        cells = []
        for t in ("md-single", "md-striped3"):
            v = vals[(t, p)]
            cells.append(f"{statistics.median(v):.3g} [{min(v):.3g}–{max(v):.3g}]")
        a, b = med("md-single", p), med("md-striped3", p)
        r = f"{b / a:.3f}" if a else "n/a"
        out.append(f"| {p.removeprefix('md_')} | {units.get(p, '')} | {cells[0]} | {cells[1]} | {r} |")
for p in ("map_create", "famfs_creat"):
    m = med("famfs", p)
    if m:
        out.append(f"\n{p}: {m:.1f} files/s")
if flags:
    out += ["", "Runs with PTE faults or PMD fallbacks (flagged):"] + [f"- {t}: {', '.join(v)}" for t, v in flags.items()]
else:
    out += ["", "No run of a file-system target had a PTE fault or a PMD fallback on first touch."]
md = "\n".join(out) + "\n"
open(f"{outdir}/latest.md", "w").write(md)
open(f"{outdir}/{date}.md", "w").write(md)
print(md)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
show = [p for p in phases if p.startswith(("mmap_", "read_", "write_", "randread"))]
fig, ax = plt.subplots(figsize=(14, 5))
w = 0.2
for i, t in enumerate(targets):
    ys = []
    for p in show:
        ref = med("devdax", p) if p.startswith("mmap_") else med("ext4", p)
        m = med(t, p)
        ys.append(m / ref if m and ref else 0)
    ax.bar([x + i * w for x in range(len(show))], ys, w, label=t)
ax.set_xticks([x + 1.5 * w for x in range(len(show))])
ax.set_xticklabels(show, rotation=60, ha="right", fontsize=8)
ax.axhline(1.0, color="black", linewidth=0.5)
ax.set_ylabel("ratio (mmap: to devdax; syscalls: to ext4-dax)")
ax.set_title(f"famfs vs devdax / ext4-dax / xfs-dax, {date}, {kernel}, TCG"
             + (" icount" if clock == "icount" else ""))
ax.legend()
fig.tight_layout()
fig.savefig(f"{outdir}/latest.png", dpi=100)
fig.savefig(f"{outdir}/{date}.png", dpi=100)
