#!/usr/bin/env python3
"""Prints the latest criterion results as ratios against each group's baseline.

Run after `cargo bench`: `python3 benches/report.py` (reads target/criterion).
Baselines: verification -> raw_hmac, parse -> ignored_any, pipeline -> parse_only.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
BASELINES = {"verification": "raw_hmac", "parse": "ignored_any", "pipeline": "parse_only"}
# SHA-256 with the CPU's SHA extensions: about 2 cycles per byte (the bench report's assumed bound).
CYCLES_PER_BYTE = 2.0


def cpu_hz():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) * 1e6
    except OSError:
        pass
    return None


def mean_ns(group, function, parameter):
    path = ROOT / group / function / parameter / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["mean"]["point_estimate"]


def human(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.0f} ns"


def main():
    if not ROOT.exists():
        sys.exit("no criterion results: run `cargo bench` first")
    hz = cpu_hz()
    for group, baseline in BASELINES.items():
        group_dir = ROOT / group
        if not group_dir.exists():
            continue
        functions = sorted(p.name for p in group_dir.iterdir()
                           if p.is_dir() and any((q / "new").is_dir() for q in p.iterdir() if q.is_dir()))
        parameters = sorted({q.name for f in functions for q in (group_dir / f).iterdir() if (q / "new").is_dir()},
                            key=lambda name: (len(name), name))
        print(f"\n## {group} (ratio = time / {baseline})\n")
        print("| input | " + " | ".join(functions) + " |")
        print("|---|" + "---|" * len(functions))
        for parameter in parameters:
            base = mean_ns(group, baseline, parameter)
            cells = []
            for function in functions:
                ns = mean_ns(group, function, parameter)
                if ns is None:
                    cells.append("")
                elif base:
                    cells.append(f"{human(ns)} ({ns / base:.2f}x)")
                else:
                    cells.append(human(ns))
            print(f"| {parameter} | " + " | ".join(cells) + " |")
        if group == "verification" and hz:
            bound = hz / CYCLES_PER_BYTE
            print(f"\nAssumed bound: {CYCLES_PER_BYTE} cycles/byte at {hz / 1e9:.2f} GHz = {bound / 1e9:.2f} GB/s.")
            for parameter in parameters:
                ns = mean_ns(group, "verifier", parameter)
                if ns and parameter.isdigit():
                    rate = int(parameter) / (ns * 1e-9)
                    print(f"- verifier at {parameter} B: {rate / 1e9:.2f} GB/s = {100 * rate / bound:.0f}% of the bound")


if __name__ == "__main__":
    main()
