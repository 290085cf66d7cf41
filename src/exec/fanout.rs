//! `PRODUCER | fanout [OUTPUT] { A ; B ; ... }`: every branch gets a copy of
//! every byte of the block's stdin; the branches run as `parallel` ones do.
//!
//! A thread of the block's own copies the input to one pipe per branch. On
//! Linux, when the input is a pipe, the bytes are never copied through
//! userspace: `tee(2)` links the input's pages into every branch's pipe,
//! and `splice(2)` into /dev/null then consumes them. A branch whose pipe
//! is full when its turn comes gets the missing part by an ordinary write
//! (blocking, so one slow branch slows the producer, and none ever sees a
//! different byte stream). Elsewhere, or when the input is a file, it is
//! a plain read-and-write loop.
//!
//! A branch that stops reading (it exited, like `head -c 10`) stops
//! receiving; it neither fails the others nor makes the producer die of
//! SIGPIPE. When every branch has stopped reading, the copy ends and the
//! input is closed, as any reader that stops early would.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;

use crate::syntax::ast::{Block, OutputMode, Spanned, Stmt};

use super::error::RunError;
use super::io::{Fd, Io};
use super::parallel::{Branch, Branches};
use super::{Flow, Interp, PipeOutcome, Scope};

/// The most bytes moved in one round: a quarter of a branch's pipe, so
/// that a branch that keeps up always has room for a whole round and the
/// copy stays zero-copy.
#[cfg(target_os = "linux")]
const ROUND: usize = super::io::WIDE_PIPE / 4;

impl Interp<'_> {
    pub(super) async fn run_fanout(
        &self,
        scope: &mut Scope,
        io: &Io,
        block: &Block,
        output: Option<Spanned<OutputMode>>,
        body: &[Stmt],
    ) -> Flow {
        if let Some(error) = self.branches_same_file(scope, body) {
            return self.finish(scope, PipeOutcome::failed(error));
        }
        let setup = || -> std::io::Result<(Vec<Fd>, Vec<OwnedFd>, OwnedFd)> {
            let mut readers = Vec::new();
            let mut writers = Vec::new();
            for _ in body {
                let (reader, writer) = super::io::wide_pipe()?;
                readers.push(Fd::owned(reader));
                writers.push(OwnedFd::from(writer));
            }
            let input = io.stdin.duplicate()?;
            Ok((readers, writers, input))
        };
        let (readers, writers, input) = match setup() {
            Ok(parts) => parts,
            Err(source) => {
                let error = RunError::Pipe {
                    source,
                    span: block.span.into(),
                };
                return self.finish(scope, PipeOutcome::failed(error));
            }
        };
        let (done_sender, done) = tokio::sync::oneshot::channel();
        let copier = std::thread::Builder::new()
            .name("pipe-fanout".to_owned())
            .stack_size(256 * 1024)
            .spawn(move || {
                copy(input, writers);
                let _ = done_sender.send(());
            });
        if let Err(source) = copier {
            let error = RunError::Pipe {
                source,
                span: block.span.into(),
            };
            return self.finish(scope, PipeOutcome::failed(error));
        }
        let branches = Branches {
            list: body.iter().map(Branch::Stmt).collect(),
            max: usize::MAX,
            fail_fast: false,
            mode: output.map(|output| output.value).unwrap_or_default(),
            stdins: Some(readers),
        };
        let flow = self.run_branches(scope, io, block, branches).await;
        // Every branch has ended, so every copy target is closed and the
        // copier has stopped (or stops at its next look).
        let _ = done.await;
        flow
    }
}

/// Copies `input` to every output until the input ends or no output reads.
fn copy(input: OwnedFd, outputs: Vec<OwnedFd>) {
    let mut outputs: Vec<Option<File>> =
        outputs.into_iter().map(|fd| Some(File::from(fd))).collect();
    #[cfg(target_os = "linux")]
    if splice::is_pipe(&input) && splice::copy(&input, &mut outputs) {
        return;
    }
    let mut input = File::from(input);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        for slot in outputs.iter_mut() {
            if let Some(out) = slot
                && out.write_all(&buffer[..n]).is_err()
            {
                // This branch stopped reading; the others go on.
                *slot = None;
            }
        }
        if outputs.iter().all(Option::is_none) {
            return;
        }
    }
}

#[cfg(target_os = "linux")]
mod splice {
    //! The zero-copy path: tee(2) and splice(2) between pipes.

    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::fd::{AsRawFd, OwnedFd};

    use super::super::io::widen;
    use super::ROUND;

    pub fn is_pipe(fd: &OwnedFd) -> bool {
        // SAFETY: fstat into a zeroed struct.
        unsafe {
            let mut stat: libc::stat = std::mem::zeroed();
            libc::fstat(fd.as_raw_fd(), &mut stat) == 0
                && (stat.st_mode & libc::S_IFMT) == libc::S_IFIFO
        }
    }

    /// Returns false if the zero-copy path could not start (the caller
    /// then copies the portable way); true once the copy is over.
    pub fn copy(input: &OwnedFd, outputs: &mut [Option<File>]) -> bool {
        let input = input.as_raw_fd();
        let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
            return false;
        };
        // A larger input pipe means fewer rounds.
        widen(input);
        // SAFETY: a second handle on the same fd, never closed by it.
        let mut reader = std::mem::ManuallyDrop::new(unsafe {
            <File as std::os::fd::FromRawFd>::from_raw_fd(input)
        });
        let mut buffer = Vec::new();
        loop {
            // Wait for input, or for a branch to stop reading.
            let mut fds: Vec<libc::pollfd> = vec![libc::pollfd {
                fd: input,
                events: libc::POLLIN,
                revents: 0,
            }];
            fds.extend(outputs.iter().flatten().map(|out| libc::pollfd {
                fd: out.as_raw_fd(),
                events: 0,
                revents: 0,
            }));
            // SAFETY: poll on a valid array of pollfds.
            if unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) } < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return true;
            }
            let mut live = fds[1..].iter();
            for slot in outputs.iter_mut() {
                if slot.is_some()
                    && live
                        .next()
                        .is_some_and(|fd| fd.revents & (libc::POLLERR | libc::POLLHUP) != 0)
                {
                    *slot = None;
                }
            }
            if outputs.iter().all(Option::is_none) {
                return true;
            }
            let mut available: libc::c_int = 0;
            // SAFETY: FIONREAD into an int.
            unsafe { libc::ioctl(input, libc::FIONREAD, &mut available) };
            if available <= 0 {
                if fds[0].revents & libc::POLLHUP != 0 {
                    return true;
                }
                continue;
            }
            let n = (available as usize).min(ROUND);
            // Link the bytes into every branch's pipe; note who fell short.
            let mut short = Vec::new();
            for (i, slot) in outputs.iter_mut().enumerate() {
                let Some(out) = slot else { continue };
                // SAFETY: tee between two pipes we hold.
                let linked =
                    unsafe { libc::tee(input, out.as_raw_fd(), n, libc::SPLICE_F_NONBLOCK) };
                match linked {
                    -1 if std::io::Error::last_os_error().raw_os_error() == Some(libc::EPIPE) => {
                        *slot = None
                    }
                    -1 => short.push((i, 0)),
                    linked if (linked as usize) < n => short.push((i, linked as usize)),
                    _ => {}
                }
            }
            if short.is_empty() {
                // Everyone has the bytes: consume them without a copy.
                let mut left = n;
                while left > 0 {
                    // SAFETY: splice from the input pipe to /dev/null.
                    let moved = unsafe {
                        libc::splice(
                            input,
                            std::ptr::null_mut(),
                            null.as_raw_fd(),
                            std::ptr::null_mut(),
                            left,
                            0,
                        )
                    };
                    if moved <= 0 {
                        return true;
                    }
                    left -= moved as usize;
                }
            } else {
                // Someone fell short: take the bytes out (the one copy of
                // the slow path) and write each its missing part.
                buffer.resize(n, 0);
                if reader.read_exact(&mut buffer).is_err() {
                    return true;
                }
                for (i, from) in short {
                    if let Some(out) = &mut outputs[i]
                        && out.write_all(&buffer[from..]).is_err()
                    {
                        outputs[i] = None;
                    }
                }
            }
        }
    }
}
