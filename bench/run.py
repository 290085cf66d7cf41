#!/usr/bin/env python3
"""Benchmarks `pipe` against dash and bash on the same workloads.

Every workload is a `.pipe` script and an equivalent POSIX sh script that
both dash and bash run. The three interpreters are interleaved repetition by
repetition (in a rotating order), so that noise on a shared machine hits
them alike, and the report gives medians and ratios to dash.

Peak RSS is `pipe`'s own (not its children's): `VmHWM` in
`/proc/<pid>/status` of the interpreter process, polled every ~1 ms while it
runs. The high-water mark only grows, so the last value read before the
process exits is its peak. Polling alone misses the end of a process that
lives a millisecond (an empty script), so the polled runs are also traced
with PTRACE_O_TRACEEXIT: the process stops just before it releases its
memory, and VmHWM is read once more there. (`wait4`'s maxrss would include
the children, which is not what we want.) Timed runs are never polled or
traced; the polled runs are separate, untimed runs that double as warm-ups
and as the check that every interpreter runs the workload with the expected
status (and, where asked, the same output).

pipe is built into target/bench/, its own target directory, so that the
build neither waits for nor disturbs builds in target/.

Standard library only. Usage:

    python3 bench/run.py                 # builds pipe statically, full run
    python3 bench/run.py --quick         # smoke test
    python3 bench/run.py --only startup  # one workload
    python3 bench/run.py --pipe PATH     # an existing binary
    python3 bench/run.py --dynamic       # the plain `cargo build --release` binary
    python3 bench/run.py --both          # static and dynamic side by side
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
TARGET_DIR = REPO / "target" / "bench"
TRIPLE = "x86_64-unknown-linux-gnu"
STATIC_RUSTFLAGS = "-C target-feature=+crt-static -C relocation-model=static"

# Children get the same small environment, whichever interpreter runs them.
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": os.environ.get("HOME", "/root"),
    "LC_ALL": "C",
}

DEFAULT_REPS = 15
QUICK_REPS = 3


# --------------------------------------------------------------------------
# Workloads: one entry each in WORKLOADS below.
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Metric:
    key: str  # a key of the dict a measurement returns
    label: str  # shown in the table


TIME = Metric("time", "time per run")


@dataclasses.dataclass
class Workload:
    """One benchmark: the same work written for `pipe` and for sh."""

    name: str
    pipe: str  # the .pipe script
    sh: str  # the POSIX sh script, run by dash and by bash
    what: str  # one line for the report
    runs: int = 1  # invocations per timed repetition (the time is per invocation)
    reps: int | None = None  # timed repetitions (None: DEFAULT_REPS)
    quick_reps: int | None = None  # with --quick (None: QUICK_REPS)
    rss_runs: int = 3  # polled, untimed runs (the first also checks the status)
    needs: tuple[str, ...] = ()  # pipe features; probed, skipped when missing
    expect_status: int = 0
    compare_output: bool = False  # pipe's stdout must equal dash's
    # A custom measurement: (Runner, argv) -> {metric key: value}. None is
    # the default: wall and CPU time of `runs` back-to-back invocations.
    measure: Callable[["Runner", list[str]], dict[str, float]] | None = None
    metrics: tuple[Metric, ...] = (TIME,)
    target_ratio: float | None = None  # goal: pipe/dash on the first metric
    rss_goal_mib: float | None = None  # goal: pipe's own peak RSS


def lines(*stmts: str) -> str:
    return "\n".join(stmts) + "\n"


def measure_timeout_lateness(runner: "Runner", argv: list[str]) -> dict[str, float]:
    """Runs a script that prints its start time, then one end time per
    200 ms timeout (all `date +%s%N`), and returns how late the timeouts
    ended: the median and the worst over the branches, in seconds."""
    res = runner.run_once(argv, capture=True)
    runner.check(res, argv, 0)
    stamps = [int(x) for x in res.stdout.split()]
    start, ends = stamps[0], stamps[1:]
    if len(ends) != 100:
        raise BenchError(f"{argv[0]}: expected 100 end times, got {len(ends)}")
    late = sorted((end - start) / 1e9 - 0.2 for end in ends)
    return {
        "time": res.wall,
        "late_median": statistics.median(late),
        "late_max": late[-1],
    }


def measure_group_lateness(runner: "Runner", argv: list[str]) -> dict[str, float]:
    """Runs 100 concurrent 200 ms timeouts with nothing after them, and
    returns how late the whole group ended: the script's wall time (its
    start-up included) minus the 200 ms. Nothing is started after the
    deadlines, so this is the timeouts' own lateness, the last one's."""
    res = runner.run_once(argv, capture=True)
    runner.check(res, argv, 124)
    return {"time": res.wall, "late_all": res.wall - 0.2}


def _unrolled(n: int, stmt: str) -> str:
    return "".join(f"{stmt}\n" for _ in range(n))


FANOUT_SH = lines(
    'd=$(mktemp -d)',
    'mkfifo "$d/a" "$d/b"',
    'sha256sum < "$d/a" > "$d/sha" &',
    'md5sum < "$d/b" > "$d/md5" &',
    'head -c 1G /dev/zero | tee "$d/a" > "$d/b"',
    "wait",
    'cat "$d/sha" "$d/md5"',
    'rm -r "$d"',
)

WORKLOADS: list[Workload] = [
    Workload(
        name="startup",
        what="an empty script, 50 runs per repetition",
        pipe="",
        sh="",
        # Many short repetitions rather than a few long ones: a burst of
        # load from elsewhere then spoils a few repetitions, not the median.
        runs=50,
        reps=60,
        quick_reps=10,
        rss_runs=30,
        target_ratio=1.00,
        rss_goal_mib=4,
    ),
    Workload(
        name="seq1000",
        what="1000 sequential `/bin/true`",
        pipe=_unrolled(1000, "/bin/true"),
        sh=_unrolled(1000, "/bin/true"),
        target_ratio=1.00,
        rss_goal_mib=4,
    ),
    Workload(
        name="cat3_2g",
        what="2 GiB through three `cat`s",
        pipe=lines("head -c 2G /dev/zero | cat | cat | cat > /dev/null"),
        sh=lines("head -c 2G /dev/zero | cat | cat | cat > /dev/null"),
        reps=9,
        quick_reps=1,
        rss_runs=1,
        target_ratio=1.02,
        rss_goal_mib=4,
    ),
    Workload(
        name="cat10_1g",
        what="1 GiB through ten `cat`s",
        pipe=lines("head -c 1G /dev/zero" + " | cat" * 10 + " > /dev/null"),
        sh=lines("head -c 1G /dev/zero" + " | cat" * 10 + " > /dev/null"),
        reps=9,
        quick_reps=1,
        rss_runs=1,
        target_ratio=1.02,
        rss_goal_mib=4,
    ),
    # The workloads below need features that may not have landed yet; they
    # are skipped, with a note, while `pipe` cannot run them.
    Workload(
        name="parallel10_sleep",
        what="10 x `sleep 0.1` in parallel (sh: `&` and `wait`)",
        pipe=lines("parallel for i in 1..10 { sleep 0.1 }"),
        sh=_unrolled(10, "sleep 0.1 &") + "wait\n",
        reps=11,
        needs=("parallel",),
    ),
    Workload(
        name="parallel500_true",
        what="500 x `/bin/true` in parallel (sh: `&` and `wait`)",
        pipe=lines("parallel for i in 1..500 { /bin/true }"),
        sh=_unrolled(500, "/bin/true &") + "wait\n",
        reps=9,
        quick_reps=2,
        needs=("parallel",),
    ),
    Workload(
        name="parallel500_sleep",
        what="500 x `sleep 0.3` in parallel, all alive at once (sh: `&` and `wait`)",
        pipe=lines("parallel for i in 1..500 { sleep 0.3 }"),
        sh=_unrolled(500, "sleep 0.3 &") + "wait\n",
        reps=5,
        quick_reps=1,
        # The goal for pipe's memory with 500 parallel children: here they
        # all run at once (the `/bin/true` ones come and go).
        rss_goal_mib=4,
        needs=("parallel",),
    ),
    Workload(
        name="parallel3_openssl",
        what="3 parallel `head -c 64M /dev/urandom | openssl enc | md5sum` chains (sh: `&` and `wait`)",
        pipe=lines(
            "parallel {",
            *[
                "  head -c 64M /dev/urandom | openssl enc -aes-256-cbc -pbkdf2 -pass pass:bench | md5sum"
            ]
            * 3,
            "}",
        ),
        sh=_unrolled(
            3,
            "head -c 64M /dev/urandom | openssl enc -aes-256-cbc -pbkdf2 -pass pass:bench | md5sum &",
        )
        + "wait\n",
        reps=7,
        quick_reps=2,
        needs=("parallel",),
    ),
    Workload(
        name="timeout_sleep",
        what="`timeout 200ms { sleep 10 }` (sh: coreutils `timeout 0.2 sleep 10`)",
        pipe=lines("timeout 200ms { sleep 10 }"),
        sh=lines("timeout 0.2 sleep 10"),
        reps=11,
        expect_status=124,
        needs=("timeout",),
    ),
    Workload(
        name="timeouts100",
        what="100 concurrent 200 ms timeouts; how late each ends after the script starts",
        pipe=lines(
            "date +%s%N",
            "parallel for i in 1..100 { timeout 200ms { sleep 10 } || date +%s%N }",
        ),
        sh="date +%s%N\n"
        + _unrolled(100, "{ timeout 0.2 sleep 10 || date +%s%N; } &")
        + "wait\n",
        reps=9,
        needs=("parallel", "timeout"),
        measure=measure_timeout_lateness,
        metrics=(
            Metric("late_median", "median lateness"),
            Metric("late_max", "worst lateness"),
            Metric("time", "wall time"),
        ),
    ),
    Workload(
        name="timeouts100_end",
        what="100 concurrent 200 ms timeouts, nothing after them; how late the last ends",
        pipe=lines("parallel for i in 1..100 { timeout 200ms { sleep 10 } }"),
        # `exit 124`: the status pipe's timed-out block gives, so that one
        # check serves both.
        sh=_unrolled(100, "timeout 0.2 sleep 10 &") + "wait\nexit 124\n",
        reps=11,
        expect_status=124,
        needs=("parallel", "timeout"),
        measure=measure_group_lateness,
        metrics=(Metric("late_all", "last one's lateness"),),
    ),
    Workload(
        name="ordered_1g",
        what="1 GiB through the second branch of an `ordered` parallel block (sh: a direct pipe)",
        pipe=lines("parallel { true ; head -c 1G /dev/zero } | cat > /dev/null"),
        sh=lines("head -c 1G /dev/zero | cat > /dev/null"),
        reps=9,
        quick_reps=1,
        rss_runs=1,
        # At least 70% of a direct pipe's throughput: at most 1/0.7 the time.
        target_ratio=1 / 0.7,
        needs=("parallel",),
    ),
    Workload(
        name="fanout_1g",
        what="1 GiB to `sha256sum` and `md5sum` at once (sh: `tee` and two FIFOs)",
        pipe=lines("head -c 1G /dev/zero | fanout { sha256sum ; md5sum }"),
        sh=FANOUT_SH,
        reps=5,
        quick_reps=1,
        rss_runs=1,
        needs=("fanout",),
        compare_output=True,
    ),
]

# A feature is there when `pipe -c PROBE` exits 0.
FEATURE_PROBES = {
    "parallel": "parallel { true }",
    "timeout": "timeout 5s { true }",
    "fanout": "true | fanout { cat ; cat }",
}


# --------------------------------------------------------------------------
# Running processes.
# --------------------------------------------------------------------------


class BenchError(Exception):
    pass


@dataclasses.dataclass
class RunResult:
    status: int  # as a shell shows it: the code, or 128+N for signal N
    wall: float  # seconds
    cpu: float  # user+sys seconds of the child and the descendants it reaped
    peak_kib: int | None  # the last VmHWM read, None when not polled or never read
    samples: int  # how many times VmHWM was read
    exact: bool  # whether one read was at the exit stop (so it is the peak)
    own_cpu: float | None  # seconds on CPU of the interpreter alone, read at the exit stop
    killed: bool  # it ran past POLLED_RUN_LIMIT and was killed
    stdout: bytes
    stderr: bytes


def exit_code(wait_status: int) -> int:
    code = os.waitstatus_to_exitcode(wait_status)
    return 128 - code if code < 0 else code


def read_task_cpu(pid: int, tid: int) -> float | None:
    """Seconds on CPU of one thread (its schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def read_hwm_kib(pid: int) -> int | None:
    """VmHWM of `pid` in KiB, or None once its memory is gone (it exited)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


PTRACE_TRACEME = 0
PTRACE_CONT = 7
PTRACE_SETOPTIONS = 0x4200
PTRACE_O_TRACECLONE = 0x8
PTRACE_O_TRACEEXIT = 0x40
PTRACE_O_EXITKILL = 0x100000
PTRACE_EVENT_CLONE = 3
PTRACE_EVENT_EXIT = 6
WALL = 0x40000000  # __WALL: wait for threads too

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long


def ptrace(request: int, pid: int, data: int) -> int:
    return _libc.ptrace(request, pid, None, ctypes.c_void_p(data))


NO_PTRACE = 253
POLLED_RUN_LIMIT = 300.0  # seconds; a hung feature must not hang the suite
ptrace_ok = True


def traced_spawn(argv: list[str], fd_in: int, fd_out: int, fd_err: int) -> int:
    """fork, PTRACE_TRACEME, execve: the child stops right after execve
    (SIGTRAP) and its parent decides what else to trace. If tracing is not
    permitted, the child exits NO_PTRACE at once without running anything."""
    pid = os.fork()
    if pid == 0:
        try:
            if ptrace(PTRACE_TRACEME, 0, 0) != 0:
                os._exit(NO_PTRACE)
            os.dup2(fd_in, 0)
            os.dup2(fd_out, 1)
            os.dup2(fd_err, 2)
            for sig in (signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            os.execve(argv[0], argv, CHILD_ENV)
        finally:
            os._exit(127)
    return pid


class Runner:
    def __init__(self) -> None:
        self.devnull_r = os.open(os.devnull, os.O_RDONLY)
        self.devnull_w = os.open(os.devnull, os.O_WRONLY)

    def spawn(self, argv: list[str], out: int, err: int) -> int:
        # posix_spawn returns once the child has exec'd, so /proc/<pid> never
        # shows Python's own memory. Python ignores SIGPIPE; children must not.
        return os.posix_spawn(
            argv[0],
            argv,
            CHILD_ENV,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, self.devnull_r, 0),
                (os.POSIX_SPAWN_DUP2, out, 1),
                (os.POSIX_SPAWN_DUP2, err, 2),
            ],
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
            setsigmask=(),
        )

    def time_runs(self, argv: list[str], runs: int, expect: int) -> dict[str, float]:
        """Wall and CPU time per invocation over `runs` back-to-back runs."""
        cpu = 0.0
        t0 = time.perf_counter()
        for _ in range(runs):
            pid = self.spawn(argv, self.devnull_w, self.devnull_w)
            _, st, ru = os.wait4(pid, 0)
            cpu += ru.ru_utime + ru.ru_stime
            if exit_code(st) != expect:
                raise BenchError(f"{' '.join(argv)}: exit {exit_code(st)}, expected {expect}")
        wall = time.perf_counter() - t0
        return {"time": wall / runs, "cpu": cpu / runs}

    def run_once(
        self, argv: list[str], capture: bool = False, poll: bool = False
    ) -> RunResult:
        """One run, untimed in spirit (its wall time is only informative).

        With `poll`, reads the interpreter's VmHWM every ~1 ms while it
        runs, and once more, exactly, when it is about to exit: the child
        is traced (PTRACE_O_TRACEEXIT) so that it stops before its memory
        is released. A process that lives a millisecond is thus measured
        too, which polling alone misses. The exit stops of its threads
        (PTRACE_O_TRACECLONE) also give the process's own CPU time, threads
        that end early included, children excluded. Without ptrace (not
        permitted), polling alone remains."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            fo = out.fileno() if capture else self.devnull_w
            fe = err.fileno()
            t0 = time.perf_counter()
            peak, samples, exact, traced, killed = None, 0, False, False, False
            own_cpu, cpu_at_exec = None, None
            global ptrace_ok
            if not poll:
                pid = self.spawn(argv, fo, fe)
                _, st, ru = os.wait4(pid, 0)
            elif not ptrace_ok:
                pid = self.spawn(argv, fo, fe)
                while True:
                    hwm = read_hwm_kib(pid)
                    if hwm:  # a 0 read right after execve is not a measurement
                        peak, samples = max(hwm, peak or 0), samples + 1
                    done, st, ru = os.wait4(pid, os.WNOHANG)
                    if done:
                        break
                    if not killed and time.perf_counter() - t0 > POLLED_RUN_LIMIT:
                        os.kill(pid, signal.SIGKILL)
                        killed = True
                    time.sleep(0.001)
            else:
                pid = traced_spawn(argv, self.devnull_r, fo, fe)
                # Each thread's CPU time, read at its exit stop: a thread
                # that ends early (a copier) takes its time with it.
                cpu_by_tid: dict[int, float] = {}
                known = {pid}
                while True:
                    # Before the stop at execve, the forked child still has
                    # Python's memory: only read once it has exec'd.
                    if traced:
                        hwm = read_hwm_kib(pid)
                        if hwm:
                            peak, samples = max(hwm, peak or 0), samples + 1
                    tid, st, ru = os.wait4(-1, os.WNOHANG | WALL)
                    if tid == 0:
                        if not killed and time.perf_counter() - t0 > POLLED_RUN_LIMIT:
                            os.kill(pid, signal.SIGKILL)
                            killed = True
                        time.sleep(0.001)
                        continue
                    if not os.WIFSTOPPED(st):
                        if tid != pid:
                            continue  # a thread has ended
                        if not traced and exit_code(st) == NO_PTRACE:
                            print("note: ptrace not permitted; peak RSS is polled only",
                                  flush=True)
                            ptrace_ok = False
                            return self.run_once(argv, capture, poll)
                        break
                    sig, event = os.WSTOPSIG(st), st >> 16
                    if tid == pid and not traced and sig == signal.SIGTRAP:
                        # The stop after execve: from now on, stop at every
                        # thread's exit. The forked child ran Python first.
                        traced = True
                        cpu_at_exec = read_task_cpu(pid, pid)
                        ptrace(PTRACE_SETOPTIONS, pid,
                               PTRACE_O_TRACEEXIT | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL)
                        sig = 0
                    elif event == PTRACE_EVENT_EXIT:
                        if tid == pid:
                            hwm = read_hwm_kib(pid)
                            if hwm is not None:
                                peak, samples, exact = max(hwm, peak or 0), samples + 1, True
                            # Threads ended by the exit_group, dying or not.
                            for t in os.listdir(f"/proc/{pid}/task"):
                                cpu_by_tid[int(t)] = read_task_cpu(pid, int(t))
                        else:
                            cpu_by_tid[tid] = read_task_cpu(pid, tid)
                        sig = 0
                    elif event == PTRACE_EVENT_CLONE:
                        sig = 0
                    elif tid not in known and sig == signal.SIGSTOP:
                        known.add(tid)  # a new thread's first stop
                        sig = 0
                    # Anything else is a signal for the child (SIGCHLD,
                    # mostly): deliver it.
                    ptrace(PTRACE_CONT, tid, sig)
                if exact and cpu_at_exec is not None:
                    own_cpu = sum(v for v in cpu_by_tid.values() if v is not None) - cpu_at_exec
            wall = time.perf_counter() - t0
            out.seek(0)
            err.seek(0)
            return RunResult(
                status=exit_code(st),
                wall=wall,
                cpu=ru.ru_utime + ru.ru_stime,
                peak_kib=peak,
                samples=samples,
                exact=exact,
                own_cpu=own_cpu,
                killed=killed,
                stdout=out.read() if capture else b"",
                stderr=err.read(),
            )

    @staticmethod
    def check(res: RunResult, argv: list[str], expect: int) -> None:
        if res.status != expect or res.killed:
            tail = res.stderr.decode(errors="replace").strip().splitlines()[-12:]
            how = f"was killed after {POLLED_RUN_LIMIT:.0f} s" if res.killed else \
                f"exited {res.status}"
            raise BenchError(
                f"`{' '.join(argv)}` {how}, expected status {expect}"
                + ("\n    " + "\n    ".join(tail) if tail else "")
            )


# --------------------------------------------------------------------------
# Contestants and building pipe.
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Contestant:
    name: str  # column header
    argv: list[str]  # the interpreter; the script path is appended
    kind: str  # "pipe" runs the .pipe script, "sh" the .sh one


def build(kind: str) -> Path:
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET_DIR))
    cmd = ["cargo", "build", "--release"]
    if kind == "static":
        # Static and not position-independent: no dynamic loader, and no
        # relocations to apply to itself at start-up.
        env["RUSTFLAGS"] = STATIC_RUSTFLAGS
        cmd += ["--target", TRIPLE]
        binary = TARGET_DIR / TRIPLE / "release" / "pipe"
        shown = f"RUSTFLAGS='{STATIC_RUSTFLAGS}' "
    else:
        env.pop("RUSTFLAGS", None)
        binary = TARGET_DIR / "release" / "pipe"
        shown = ""
    print(f"$ cd {REPO} && {shown}CARGO_TARGET_DIR={TARGET_DIR} {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, cwd=REPO, env=env)
    if proc.returncode != 0:
        raise BenchError(f"the {kind} build failed; try --pipe PATH with a binary that builds")
    return binary


def probe_features(pipe_argv: list[str]) -> dict[str, tuple[bool, int]]:
    found = {}
    for feature, text in FEATURE_PROBES.items():
        proc = subprocess.run(
            pipe_argv + ["-c", text],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=CHILD_ENV,
            timeout=30,
        )
        found[feature] = (proc.returncode == 0, proc.returncode)
    return found


# --------------------------------------------------------------------------
# The benchmark.
# --------------------------------------------------------------------------


def run_workload(
    runner: Runner,
    wl: Workload,
    contestants: list[Contestant],
    scripts: dict[str, Path],
    reps: int,
    rss_runs: int,
) -> dict:
    argvs = {c.name: c.argv + [str(scripts[c.kind])] for c in contestants}
    names = [c.name for c in contestants]

    # Untimed, polled runs: warm-up, status check, output check, peak RSS.
    peaks: dict[str, list[int]] = {n: [] for n in names}
    samples: dict[str, list[int]] = {n: [] for n in names}
    exact: dict[str, bool] = {n: True for n in names}
    own_cpu: dict[str, list[float]] = {n: [] for n in names}
    outputs: dict[str, bytes] = {}
    for i in range(rss_runs):
        for c in rotated(contestants, i):
            res = runner.run_once(argvs[c.name], capture=(i == 0), poll=True)
            if i == 0:
                try:
                    runner.check(res, argvs[c.name], wl.expect_status)
                except BenchError as e:
                    if c.kind == "pipe" and wl.needs:
                        return {"skipped": f"pipe cannot run it yet: {e}"}
                    raise
                outputs[c.name] = res.stdout
            if res.peak_kib is not None:
                peaks[c.name].append(res.peak_kib)
            samples[c.name].append(res.samples)
            exact[c.name] = exact[c.name] and res.exact
            if res.own_cpu is not None:
                own_cpu[c.name].append(res.own_cpu)
    if wl.compare_output:
        for c in contestants:
            if outputs[c.name] != outputs["dash"]:
                raise BenchError(
                    f"{wl.name}: {c.name} printed {outputs[c.name][:200]!r}, "
                    f"dash printed {outputs['dash'][:200]!r}"
                )

    # Timed repetitions, interleaved in a rotating order.
    measured: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for r in range(reps):
        for c in rotated(contestants, r):
            if wl.measure is not None:
                m = wl.measure(runner, argvs[c.name])
            else:
                m = runner.time_runs(argvs[c.name], wl.runs, wl.expect_status)
            measured[c.name].append(m)

    result: dict = {"reps": reps, "rss_runs": rss_runs, "metrics": {}}
    keys = [m.key for m in wl.metrics] + (["cpu"] if wl.measure is None else [])
    for key in keys:
        per = {n: [m[key] for m in measured[n]] for n in names}
        result["metrics"][key] = {
            n: {"median": statistics.median(v), "min": min(v), "max": max(v), "all": v}
            for n, v in per.items()
        }
        # Ratios of the same repetition, which ran side by side in time.
        result["metrics"][key]["paired_ratios"] = {
            n: [a / b if b else float("nan") for a, b in zip(per[n], per["dash"])]
            for n in names
            if n != "dash"
        }
    result["peak_kib"] = {n: (max(peaks[n]) if peaks[n] else None) for n in names}
    result["hwm_samples_min"] = {n: (min(samples[n]) if samples[n] else 0) for n in names}
    result["hwm_at_exit"] = exact
    result["own_cpu"] = {n: (statistics.median(v) if v else None) for n, v in own_cpu.items()}
    return result


def rotated(items: list, k: int) -> list:
    k %= len(items)
    return items[k:] + items[:k]


# --------------------------------------------------------------------------
# Reporting.
# --------------------------------------------------------------------------


def fmt_time(s: float) -> str:
    a = abs(s)
    if a < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if a < 1:
        ms = s * 1e3
        return f"{ms:.0f} ms" if a >= 0.1 else f"{ms:.1f} ms" if a >= 0.01 else f"{ms:.2f} ms"
    return f"{s:.3f} s"


def fmt_mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.2f} MiB"


def goal_text(ratio: float, target: float | None) -> str:
    if target is None:
        return "–"
    verdict = "met" if ratio <= target else f"missed by {(ratio / target - 1) * 100:.1f}%"
    return f"≤ {target:.2f}: {verdict}"


def report(results: dict, contestants: list[Contestant]) -> str:
    names = [c.name for c in contestants]
    others = [n for n in names if n != "dash"]
    out = []

    hdr = ["workload", "metric"] + names + [f"{n}/dash" for n in others]
    hdr += ["pipe/dash paired [range]", "goal (pipe/dash)", "spread"]
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "---|" * len(hdr))
    for wl in WORKLOADS:
        res = results.get(wl.name)
        if not res or "skipped" in res:
            continue
        for i, metric in enumerate(wl.metrics):
            m = res["metrics"][metric.key]
            med = {n: m[n]["median"] for n in names}
            row = [wl.name, metric.label] + [fmt_time(med[n]) for n in names]
            row += [f"{med[n] / med['dash']:.3f}" for n in others]
            pr = m["paired_ratios"][names[0]]
            row.append(f"{statistics.median(pr):.3f} [{min(pr):.2f}–{max(pr):.2f}]")
            row.append(goal_text(med[names[0]] / med["dash"], wl.target_ratio if i == 0 else None))
            spread = max((m[n]["max"] - m[n]["min"]) / m[n]["median"] for n in names if m[n]["median"])
            row.append(f"{spread * 100:.0f}%")
            out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append(
        "Medians of the repetitions; `x/dash` is the ratio of medians. `paired` is the median "
        "(and range) of each repetition's pipe time over the dash time measured right next to "
        "it. `spread` is the widest (max−min)/median of any interpreter: a large spread means "
        "a noisy machine."
    )

    out.append("")
    hdr = ["workload"] + [f"{n} peak RSS" for n in names] + ["goal (pipe)"]
    hdr += [f"{n} own CPU" for n in names]
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "---|" * len(hdr))
    for wl in WORKLOADS:
        res = results.get(wl.name)
        if not res or "skipped" in res:
            continue
        peak = res["peak_kib"]
        row = [wl.name] + [fmt_mib(peak[n]) for n in names]
        p = peak[names[0]]
        if not all(res["hwm_at_exit"].values()):
            row[0] += " (polled only)"
        if wl.rss_goal_mib is None or p is None:
            row.append("–")
        else:
            ok = p < wl.rss_goal_mib * 1024
            row.append(f"< {wl.rss_goal_mib:g} MiB: {'met' if ok else 'missed'}")
        own = res.get("own_cpu", {})
        row += [fmt_time(own[n]) if own.get(n) is not None else "n/a" for n in names]
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append(
        "Peak RSS is the interpreter process's own `VmHWM` (children not included), polled "
        "every ~1 ms and read once more at its exit (ptrace exit stop); the largest over the "
        "untimed runs. Own CPU is the interpreter process's time on CPU from the end of its "
        "`execve` to its exit, all its threads, children not included (each thread's "
        "`/proc/<pid>/task/<tid>/schedstat` at its ptrace exit stop), median over the "
        "untimed runs."
    )

    cpu_rows = [wl for wl in WORKLOADS if wl.name in results and "metrics" in results[wl.name]
                and "cpu" in results[wl.name]["metrics"]]
    if cpu_rows:
        out.append("")
        hdr = ["workload"] + [f"{n} CPU" for n in names] + [f"{n}/dash" for n in others]
        out.append("| " + " | ".join(hdr) + " |")
        out.append("|" + "---|" * len(hdr))
        for wl in cpu_rows:
            m = results[wl.name]["metrics"]["cpu"]
            med = {n: m[n]["median"] for n in names}
            row = [wl.name] + [fmt_time(med[n]) for n in names]
            row += [f"{med[n] / med['dash']:.3f}" if med["dash"] else "–" for n in others]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
        out.append(
            "CPU is user+sys time per run of the interpreter and every child it reaped "
            "(`wait4` rusage), median of the repetitions."
        )

    skipped = [(n, r["skipped"]) for n, r in results.items() if "skipped" in r]
    if skipped:
        out.append("")
        out.append("Skipped:")
        for n, why in skipped:
            out.append(f"- `{n}`: {why.splitlines()[0]}")
    return "\n".join(out)


def cmd_out(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def machine_info(contestants: list[Contestant]) -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rev = cmd_out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    if cmd_out(["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "Cargo.toml",
                "Cargo.lock", "grammar"]):
        rev += " + uncommitted changes"
    info = {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "kernel": platform.release(),
        "dash": cmd_out(["dpkg-query", "-W", "-f", "${Version}", "dash"]) or "?",
        "bash": cmd_out(["bash", "-c", "echo $BASH_VERSION"]),
        "rustc": cmd_out(["rustc", "-V"]),
        "pipe revision": rev,
        "loadavg at start": Path("/proc/loadavg").read_text().strip(),
    }
    for c in contestants:
        if c.kind == "pipe":
            info[f"{c.name} binary"] = c.argv[0] + " (" + (
                "static" if "static" in cmd_out(["file", "-b", c.argv[0]]) else "dynamic"
            ) + ")"
    return info


def launcher_floor(runner: Runner) -> float:
    """What launching and reaping a trivial process costs this script."""
    true = shutil.which("true", path=CHILD_ENV["PATH"]) or "/bin/true"
    return statistics.median(runner.time_runs([true], 50, 0)["time"] for _ in range(30))


# --------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pipe", metavar="PATH", help="benchmark this binary instead of building")
    ap.add_argument("--dynamic", action="store_true",
                    help="build and benchmark the plain `cargo build --release` binary")
    ap.add_argument("--both", action="store_true",
                    help="build both, benchmark them side by side (pipe = static, pipe-dyn)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions: a smoke test")
    ap.add_argument("--only", metavar="NAME", action="append",
                    help="run only this workload (repeatable)")
    ap.add_argument("--reps", type=int, help="timed repetitions for every workload")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    ap.add_argument("--json", metavar="FILE", help="also write every measurement as JSON")
    ap.add_argument("--poll-only", action="store_true",
                    help="peak RSS by polling alone, without the exact read at exit (ptrace)")
    args = ap.parse_args()
    if args.poll_only:
        global ptrace_ok
        ptrace_ok = False

    if args.list:
        for wl in WORKLOADS:
            needs = f"  [needs {', '.join(wl.needs)}]" if wl.needs else ""
            print(f"{wl.name:18} {wl.what}{needs}")
        return 0

    selected = WORKLOADS
    if args.only:
        known = {wl.name for wl in WORKLOADS}
        unknown = [n for n in args.only if n not in known]
        if unknown:
            print(f"unknown workload(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                  file=sys.stderr)
            return 2
        selected = [wl for wl in WORKLOADS if wl.name in args.only]

    for tool in ("dash", "bash"):
        if not shutil.which(tool):
            print(f"`{tool}` is not installed (apt-get install -y {tool})", file=sys.stderr)
            return 2

    try:
        contestants: list[Contestant] = []
        if args.pipe:
            contestants.append(Contestant("pipe", [str(Path(args.pipe).resolve())], "pipe"))
        elif args.both:
            contestants.append(Contestant("pipe", [str(build("static"))], "pipe"))
            contestants.append(Contestant("pipe-dyn", [str(build("dynamic"))], "pipe"))
        else:
            kind = "dynamic" if args.dynamic else "static"
            contestants.append(Contestant("pipe", [str(build(kind))], "pipe"))
        contestants.append(Contestant("dash", [shutil.which("dash")], "sh"))
        contestants.append(Contestant("bash", [shutil.which("bash")], "sh"))

        runner = Runner()
        info = machine_info(contestants)
        print("\n## Machine\n")
        for k, v in info.items():
            print(f"- {k}: {v}")
        floor = launcher_floor(runner)
        info["launch floor"] = fmt_time(floor)
        print(f"- launch floor (spawn and reap `/bin/true` from this script): {fmt_time(floor)}")
        sys.stdout.flush()

        features = probe_features(contestants[0].argv)
        results: dict[str, dict] = {}
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="pipe-bench-") as tmp:
            for wl in selected:
                missing = [f for f in wl.needs if not features[f][0]]
                if missing:
                    why = "; ".join(
                        f"`pipe -c '{FEATURE_PROBES[f]}'` exited {features[f][1]}" for f in missing
                    )
                    results[wl.name] = {"skipped": f"needs {', '.join(missing)}: {why}"}
                    print(f"\nskipping {wl.name}: needs {', '.join(missing)} ({why})", flush=True)
                    continue
                scripts = {"pipe": Path(tmp, f"{wl.name}.pipe"), "sh": Path(tmp, f"{wl.name}.sh")}
                scripts["pipe"].write_text(wl.pipe)
                scripts["sh"].write_text(wl.sh)
                if args.reps:
                    reps = args.reps
                elif args.quick:
                    reps = wl.quick_reps or QUICK_REPS
                else:
                    reps = wl.reps or DEFAULT_REPS
                rss_runs = max(1, wl.rss_runs // 5) if args.quick else wl.rss_runs
                t0 = time.monotonic()
                load = Path("/proc/loadavg").read_text().split()[0]
                print(f"\n{wl.name}: {wl.what}; {reps} reps x {wl.runs} run(s); "
                      f"loadavg {load}", flush=True)
                res = run_workload(runner, wl, contestants, scripts, reps, rss_runs)
                res["loadavg_before"] = float(load)
                res["seconds"] = round(time.monotonic() - t0, 1)
                results[wl.name] = res
                if "skipped" in res:
                    print(f"skipping {wl.name}: {res['skipped']}", flush=True)
                    continue
                key = wl.metrics[0].key
                meds = ", ".join(
                    f"{c.name} {fmt_time(res['metrics'][key][c.name]['median'])}"
                    for c in contestants
                )
                print(f"  {wl.metrics[0].label}: {meds}  ({time.monotonic() - t0:.0f} s)", flush=True)

        info["loadavg at end"] = Path("/proc/loadavg").read_text().strip()
        print(f"\ntotal {time.monotonic() - started:.0f} s; loadavg at end {info['loadavg at end']}")
        print("\n## Results\n")
        print(report(results, contestants))
        if args.json:
            Path(args.json).write_text(json.dumps(
                {"machine": info, "quick": args.quick, "results": results}, indent=1))
            print(f"\nwrote {args.json}")
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
