#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/scale.sh raw lines into bench/results/scale-<date>.md, scale-latest.md and a
PNG plot (when matplotlib is available). Usage:
  report_scale.py RAW OUTDIR KERNEL MACHINE CLOCK [PREVIOUS_RAW]
The previous run's raw file, when given, is shown beside this one."""
import collections
import datetime
import os
import sys

raw, outdir, kernel, machine, clock = sys.argv[1:6]
prev_raw = sys.argv[6] if len(sys.argv) > 6 else None


def parse(path):
    d = collections.defaultdict(list)
    for line in open(path):
        f = line.split()
        if len(f) < 4 or f[0] == "info":
            continue
        mod, phase, *rest = f
        # "map_create_batch K VALUE ns/file ..." has the batch number before the value.
        if phase == "map_create_batch":
            k, value, unit, kv = rest[0], rest[1], rest[2], rest[3:]
            phase = f"map_create_batch:{int(k):05d}"
        else:
            value, unit, kv = rest[0], rest[1], rest[2:]
        extra = dict(x.split("=", 1) for x in kv if "=" in x)
        try:
            d[(mod, phase)].append((float(value), unit, extra))
        except ValueError:
            pass
    return d


cur = parse(raw)
prev = parse(prev_raw) if prev_raw and os.path.exists(prev_raw) else {}
info = [line.split(None, 1)[1].strip() for line in open(raw) if line.startswith("info ")]
date = datetime.date.today().isoformat()


def curve(d, mod):
    ks = sorted(p for (m, p) in d if m == mod and p.startswith("map_create_batch:"))
    return [(int(p.split(":")[1]), d[(mod, p)][0][0], d[(mod, p)][0][2]) for p in ks]


def ratio(c, key=None):
    """Last full batch / first batch of the mean ioctl cost, or of the field `key`."""
    def val(x):
        return x[1] if key is None else float(x[2].get(key, "nan"))
    # The last batch may be a partial one: the last full batch of 1,000 counts.
    full = [x for x in c if int(x[2].get("files", "0")) % 1000 == 0] or c
    return val(full[-1]) / val(c[0]) if c and val(c[0]) else None


def has_median(c):
    return bool(c) and all("median_ns" in x[2] for x in c)


after, before = curve(cur, "after"), curve(cur, "before")
out = [f"# famfs at scale ({date})", "",
       f"Kernel: `{kernel}`. Machine: {machine}.",
       *(info and [f"Device: {info[0]}."] or []),
       ("Guest on QEMU's instruction-count clock (TCG `-icount shift=0`): a nanosecond is one "
        "guest instruction, so costs count work, deterministically." if clock == "icount" else
        "Guest under TCG, wall clock: compare within this run only."), ""]


def headline(c, label):
    """The ratio line: of the median ioctl when the run has it (the mean also carries
    what else the guest ran inside the ioctl's window), else of the mean."""
    if not c:
        return []
    if has_median(c):
        return [f"{label}map_create batch ratio (last/first): {ratio(c, 'median_ns'):.2f}",
                f"{label}(median ioctl; mean ioctl {ratio(c):.2f}, whole file {ratio(c, 'file_ns'):.2f})"]
    return [f"{label}map_create batch ratio (last/first): {ratio(c):.2f}"]


out += headline(after, "")
out += headline(before, "before (claims vector): ")
out.append("")
if after:
    out += ["## MAP_CREATE_V2 cost per file, batches of 1,000 (ioctl alone: median and mean; "
            "whole file = open O_CREAT + ioctl + close, mean)", "",
            "| batch | files | after: ioctl median | after: ioctl mean | after: whole file | "
            "before: ioctl median | before: ioctl mean | before: whole file |",
            "|---|---|---|---|---|---|---|---|"]
    bmap = {k: (v, e) for k, v, e in before}

    def cells(v, e):
        med = e.get("median_ns")
        return (f"{float(med):.0f}" if med else "n/a") + f" | {v:.0f} | {float(e.get('file_ns', 0)):.0f}"
    for k, v, e in after:
        bv = bmap.get(k)
        out.append(f"| {k} | {e.get('files')} | {cells(v, e)} | "
                   + (f"{cells(*bv)} |" if bv else "n/a | n/a | n/a |"))
    out.append("")


def rows(d, mod, phase, key):
    return {e.get(key): v for v, _, e in d.get((mod, phase), [])}


out += ["## Unmount and kernel memory", "",
        "| module | files | umount (s) | slab bytes per file (all caches) |", "|---|---|---|---|"]
for mod in ("after", "before"):
    um, mem = rows(cur, mod, "umount_s", "files"), rows(cur, mod, "mem_per_file", "files")
    for n in sorted(set(um) | set(mem), key=lambda x: int(x)):
        u, m = um.get(n), mem.get(n)
        out.append(f"| {mod} | {n} | {u:.4f} | " if u is not None else f"| {mod} | {n} | n/a | ")
        out[-1] += f"{m:.0f} |" if m is not None else "n/a |"
for mod in ("after", "before"):
    caches = [(e.get("cache"), int(e.get("files")), v) for v, _, e in cur.get((mod, "slab_per_file"), [])]
    if not caches:
        continue
    top = max(n for _, n, _ in caches)
    rows_ = sorted(((c, v) for c, n, v in caches if n == top and v >= 64), key=lambda x: -x[1])
    out += ["", f"Growth of each slab cache per file, {mod}, at {top} files (64 bytes per file or more; "
            "caches of processes and path lookups move with the benchmark's own programs):", "",
            "| cache | bytes per file |", "|---|---|"]
    out += [f"| {c} | {v:.0f} |" for c, v in rows_]
out.append("")

tool = [(p, v, u, e) for (m, p), vs in cur.items() if m == "tool" for v, u, e in vs]
if tool:
    out += ["## User space (the famfs tool, on this module)", "",
            "| operation | log entries | rate | seconds | previous run |", "|---|---|---|---|---|"]
    ptool = {(p, e.get("log")): v for (m, p), vs in prev.items() if m == "tool" for v, _, e in vs}
    for p, v, u, e in sorted(tool, key=lambda x: (x[0], int(x[3].get("log", 0)))):
        pv = ptool.get((p, e.get("log")))
        out.append(f"| {p} | {e.get('log', '')} | {v:.1f} {u} | {e.get('seconds', '')} | "
                   + (f"{pv:.1f} |" if pv is not None else "n/a |"))
    out += ["", "The original famfs CLI is not part of this benchmark; the ratios against it reported at",
            "150 files on the debug kernel were: `creat` 3.2x faster than the original, `cp -r` of",
            "small files 1.13x, mount + log replay 0.96x, no-op `logplay` 2.05x."]
if prev:
    pa = curve(prev, "after")
    if pa:
        key = "median_ns" if has_median(pa) else None
        first = float(pa[0][2]["median_ns"]) if key else pa[0][1]
        out += ["", f"Previous run: map_create batch ratio (last/first) {ratio(pa, key):.2f}"
                f" ({'median' if key else 'mean'} ioctl), first batch {first:.0f} ns/file."]
md = "\n".join(out) + "\n"
open(f"{outdir}/scale-latest.md", "w").write(md)
open(f"{outdir}/scale-{date}.md", "w").write(md)
print(md)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, ax = plt.subplots(figsize=(9, 5))
for (name, c), color in zip((("after (interval tree)", after), ("before (claims vector)", before)),
                            ("tab:blue", "tab:orange")):
    if not c:
        continue
    files = [int(e.get("files")) for _, _, e in c]
    if has_median(c):
        ax.plot(files, [float(e["median_ns"]) for _, _, e in c], marker=".", color=color,
                label=f"{name}, median")
        ax.plot(files, [v for _, v, _ in c], linestyle=":", color=color, label=f"{name}, mean")
    else:
        ax.plot(files, [v for _, v, _ in c], marker=".", color=color, label=f"{name}, mean")
ax.set_xlabel("files installed")
ax.set_ylabel("MAP_CREATE_V2 ioctl, ns per file (batches of 1,000)"
              + (" [icount]" if clock == "icount" else ""))
ax.set_title(f"famfs MAP_CREATE_V2 cost as files grow, {date}, {kernel.split(' (')[0]}")
# Log scale: the flat curve is two orders of magnitude below the growing one.
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
fig.savefig(f"{outdir}/scale-latest.png", dpi=100)
fig.savefig(f"{outdir}/scale-{date}.png", dpi=100)
