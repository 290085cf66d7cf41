#!/usr/bin/env python3
"""Writes `link/hot.ld`: the functions `pipe` runs in ordinary scripts, so
that the linker puts them side by side (see `build.rs`).

Why: the kernel maps a program's code in 64 KiB windows (fault-around) as
it first touches them. Laid out as the compiler emits it, the code a short
script runs is spread over nearly every window of the 2 MB binary, and all
of it counts in `pipe`'s resident set. Gathered at the start of the code,
the same functions fill a few windows.

How: each workload below runs once under valgrind's callgrind, which lists
every function executed (in all threads). The list becomes linker-script
patterns that leave out what changes from build to build: the hash at the
end of a legacy Rust symbol, and the crate disambiguators of a v0 one.
C functions of a static glibc are kept by the archive member that holds
them. A pattern that matches nothing (an older list, another toolchain)
costs nothing: that function is placed as usual.

Run it again after large changes to the executor:

    cargo build --release && python3 link/hot.py [BINARY...]

Give it a statically linked build as well (as `bench/run.py` builds one),
so that the C library's own start-up code is seen too.

Standard library only; needs valgrind.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "link" / "hot.ld"
LIBC = Path("/usr/lib/x86_64-linux-gnu/libc.a")

# What an ordinary run does: commands, pipelines, redirects, variables,
# captures, loops, every kind of block, output modes, a timeout that fires.
WORKLOADS = [
    "/bin/true\n/bin/true\n",
    "echo hi | cat | wc -c > /dev/null\n",
    'let x = $(echo hi)\nexport Y = "$x-${Z:-z}"\nsecret S = "s"\n'
    "cd /tmp\nenv > /dev/null 2>&1\ncat < /dev/null >> /dev/null\n",
    "for f in 1..3 { echo $f > /dev/null }\nfor w in a b c { true }\n",
    "parallel for i in 1..40 { sleep 0.01 | cat }\n",
    "parallel max 2 fail-fast { true ; true ; true }\n",
    "parallel lines { echo a ; echo b } > /dev/null\n",
    "parallel unordered { echo a ; echo b } > /dev/null\n",
    "parallel raw { echo a ; echo b } > /dev/null\n",
    "parallel { true ; head -c 300000 /dev/zero } | cat > /dev/null\n",
    "head -c 300000 /dev/zero | fanout { wc -c ; md5sum } > /dev/null\n",
    "timeout 1s { true }\ntimeout 50ms { sleep 5 } || true\n",
    "{ echo a ; echo b } | sort > /dev/null\nfalse || true\ntrue && true\n",
    "tr a b <<< hello > /dev/null\nexit 0\n",
]

# Functions valgrind cannot show: it does not know `pidfd_open`, so under
# it `pipe` waits for children another way; and it does not run the
# child's side of `vfork` in `pipe`'s own code.
# And what pipe does at start-up when it was given no `$PWD` (it sets
# one), which valgrind never shows: it gives every program a `$PWD`.
ALWAYS = [
    "_ZN4pipe4exec5child*",
    "_ZN4pipe4exec5spawn5linux*",
    "_ZN3std3env7set_var*",
    "_R*3std3sys3env4unix6setenv*",
]
# C start-up code that runs before valgrind starts counting, and the C
# library's side of setting `$PWD`.
ALWAYS_C = [
    "*crt1.o(.text .text.*)",
    "*libc.a:dl-reloc-static-pie.o(.text .text.*)",
    "*libc.a:setenv.o(.text .text.*)",
    "*libc.a:tsearch.o(.text .text.*)",
]

LEGACY_HASH = re.compile(r"17h[0-9a-f]{16}E$")
V0_CRATE = re.compile(r"Cs[0-9A-Za-z]+_")
FN_LINE = re.compile(r"^c?fn=\(\d+\)\s+(\S.*)$")


def executed(binary: str) -> set[str]:
    """Every function name callgrind saw run, over all the workloads."""
    names: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for i, script in enumerate(WORKLOADS):
            out = Path(tmp) / f"cg.{i}"
            # A file, as scripts are run: `-c` builds the command line's
            # parser, which a script run does without.
            path = Path(tmp) / f"w{i}.pipe"
            path.write_text(script)
            subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    "--demangle=no",
                    f"--callgrind-out-file={out}",
                    binary,
                    str(path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            for line in out.read_text(errors="replace").splitlines():
                match = FN_LINE.match(line)
                if match:
                    # callgrind marks recursion levels as NAME'2.
                    names.add(re.sub(r"'\d+$", "", match.group(1).strip()))
    return names


def libc_members() -> dict[str, str]:
    """Function name -> the libc.a member that defines it."""
    if not LIBC.exists():
        return {}
    listing = subprocess.run(
        ["nm", "-A", "--defined-only", str(LIBC)], capture_output=True, text=True
    ).stdout
    members: dict[str, str] = {}
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[-2] in "TtWwi":
            members.setdefault(fields[-1], fields[0].split(":")[1])
    return members


def patterns(names: set[str]) -> tuple[list[str], list[str]]:
    members = libc_members()
    prefixes = {m.split("-")[0] + "-" for m in members.values() if "-" in m}
    rust: set[str] = set(ALWAYS)
    c: set[str] = set()
    for name in names:
        if name.startswith("_ZN"):
            rust.add(LEGACY_HASH.sub("17h*", name))
        elif name.startswith("_R"):
            rust.add(V0_CRATE.sub("Cs*_", name))
        elif name in members:
            c.add(members[name])
            # A string function has one member per instruction set
            # (`strlen-avx2.o`, `strlen-evex.o`); the running CPU picks
            # one, and valgrind, which lacks AVX-512 and replaces the
            # string functions with its own, may see another or none.
            # The variants kept are those of CPUs with AVX2 or AVX-512: the
            # SSE ones are for machines too old to matter here.
            base = name.lstrip("_").split("_")[0]
            if base + "-" in prefixes:
                c.update((base + "-avx*.o", base + "-evex*.o"))
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
            # A C function of the binary itself, or of a crate's C code.
            rust.add(name)
    return sorted(rust), sorted(c)


def main() -> int:
    binaries = sys.argv[1:] or [str(ROOT / "target/release/pipe")]
    names = set().union(*(executed(binary) for binary in binaries))
    rust, c = patterns(names)
    lines = [
        "/* Generated by link/hot.py: the functions ordinary scripts run,",
        "   gathered at the start of the code. Used by build.rs. */",
        "SECTIONS {",
        "  .text.pipe_hot : {",
    ]
    # LLVM puts a function it deems cold in `.text.unlikely.NAME`.
    lines += [f"    *(.text.{p} .text.unlikely.{p})" for p in rust]
    lines += [f"    *libc.a:{m}(.text .text.*)" for m in c]
    lines += [f"    {p}" for p in ALWAYS_C]
    lines += ["  }", "} INSERT BEFORE .text;", ""]
    OUT.write_text("\n".join(lines))
    print(f"{len(names)} functions ran; {len(rust)} patterns, {len(c)} libc members -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
