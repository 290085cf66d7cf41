//! How parallel branches' stdout reaches the block's stdout, in the modes
//! `ordered`, `unordered` and `lines` (`raw` needs none of this: the
//! children write straight to the block's stdout).
//!
//! Each branch that is not written straight through gets a pipe of its own,
//! which a relay reads on the event loop. What reaches the block's stdout
//! goes through one writer thread, in whole chunks, so that a slow reader
//! never blocks the event loop and no two chunks ever mix. Output that must
//! wait its turn is held in a [`Spool`]: in memory up to a bound, then in
//! an unnamed temporary file, so memory stays bounded whatever a branch
//! prints.
//!
//! Writing out is bounded in time as the branches' processes are: once the
//! scope the block runs in has been killed (a timeout's or a fail-fast's
//! grace period has passed, or `pipe`'s after a signal), what is not
//! written yet is still written while the reader takes it, and given up
//! once the reader has taken nothing for [`STALL`], so that a reader that
//! does not read (a paused pager, a full FIFO) cannot hold the block past
//! its deadline. A write the writer thread is blocked in cannot be taken
//! back: the thread is left to it, and ends without writing more once it
//! returns.

use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::os::unix::fs::FileExt;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::syntax::ast::OutputMode;

use super::io::Fd;
use super::supervise::CancelScope;

/// How much a held branch keeps in memory before spilling to a file.
const SPOOL_MEMORY: usize = 64 * 1024;
/// The size of one read from a branch, and of one chunk written.
const CHUNK: usize = 64 * 1024;
/// A splice that moves less than this is followed by a pause (see `stream`).
#[cfg(target_os = "linux")]
const BATCH: usize = 64 * 1024;
/// How many chunks may wait for the writer thread.
const QUEUE: usize = 16;
/// Once the block's scope is killed, how long the reader may take nothing
/// before what is left to write is given up.
const STALL: std::time::Duration = std::time::Duration::from_secs(1);

/// The output of one parallel block.
pub struct Output {
    mode: OutputMode,
    writer: Writer,
    /// The block's stdout, for branches written straight through.
    target: Fd,
    state: RefCell<State>,
    /// Held while a whole branch's output is being written, so that
    /// nothing else is written in between.
    turn: tokio::sync::Mutex<()>,
    /// `ordered`: notified when the current branch goes out live.
    turn_passed: tokio::sync::Notify,
}

struct State {
    /// `ordered`: the earliest branch whose output is not complete.
    current: usize,
    /// `ordered`: whether the current branch's output goes out live.
    live: bool,
    /// Who has started, and whose output is complete.
    started: Vec<bool>,
    complete: Vec<bool>,
    spools: Vec<Spool>,
    /// Why output could not be held (no temporary file), the first time.
    hold_error: Option<std::io::Error>,
}

impl Output {
    /// The output of a block whose branches run in `scope`.
    pub fn new(
        mode: OutputMode,
        target: &Fd,
        branches: usize,
        scope: &Rc<CancelScope>,
    ) -> std::io::Result<Output> {
        let fd = target.duplicate()?;
        Ok(Output {
            mode,
            writer: Writer::spawn(fd, scope.clone())?,
            target: target.clone(),
            state: RefCell::new(State {
                current: 0,
                live: false,
                started: vec![false; branches],
                complete: vec![false; branches],
                spools: (0..branches).map(|_| Spool::default()).collect(),
                hold_error: None,
            }),
            turn: tokio::sync::Mutex::new(()),
            turn_passed: tokio::sync::Notify::new(),
        })
    }

    /// The stdout branch `index` starts with, and the pipe end to relay
    /// when it is not the block's stdout itself. In `ordered` mode the
    /// current branch, when nothing of it is held, writes straight through.
    pub async fn branch_stdout(
        &self,
        index: usize,
    ) -> std::io::Result<(Fd, Option<os_pipe::PipeReader>)> {
        let direct = {
            let mut state = self.state.borrow_mut();
            state.started[index] = true;
            let direct = self.mode == OutputMode::Ordered && state.current == index && !state.live;
            if direct {
                state.live = true;
            }
            direct
        };
        if direct {
            // What was queued before must be written before the branch
            // writes on its own.
            self.writer.drain().await;
            return Ok((self.target.clone(), None));
        }
        // A pipe of the default size: only the branch that goes out live
        // gets a wide one (see `relay_flowing`), so that a thousand
        // branches do not use up the user's allowance of pipe memory.
        let (reader, writer) = os_pipe::pipe()?;
        Ok((Fd::owned(writer), Some(reader)))
    }

    /// Reads branch `index`'s pipe to its end, passing the bytes on as the
    /// mode says.
    pub async fn relay(&self, index: usize, reader: os_pipe::PipeReader) {
        let Ok(receiver) = tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        else {
            return;
        };
        // Until its first byte, a branch's relay is this small loop, and
        // the first read a small one: most branches of a large block print
        // little or nothing, and each costs only this. The rest is boxed.
        let first = loop {
            if receiver.readable().await.is_err() {
                return;
            }
            let mut probe = [0u8; 512];
            match receiver.try_read(&mut probe) {
                Ok(0) => return,
                Ok(n) => break probe[..n].to_vec(),
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return,
            }
        };
        Box::pin(self.relay_flowing(index, receiver, first)).await;
    }

    /// The rest of [`Output::relay`], from the `first` bytes read.
    async fn relay_flowing(
        &self,
        index: usize,
        receiver: tokio::net::unix::pipe::Receiver,
        first: Vec<u8>,
    ) {
        // `lines`: the start of a line whose end has not come yet.
        let mut partial = Spool::default();
        let mut first = Some(first);
        // Grown while reads fill it: a branch printing a line costs no
        // 64 KiB buffer.
        let mut buffer = vec![0u8; 4096];
        let mut filled = false;
        loop {
            let bytes: &[u8] = match first.as_deref() {
                Some(first) => first,
                None => {
                    if receiver.readable().await.is_err() {
                        break;
                    }
                    if filled && buffer.len() < CHUNK {
                        buffer.resize((buffer.len() * 4).min(CHUNK), 0);
                    }
                    match receiver.try_read(&mut buffer) {
                        Ok(0) => break,
                        Ok(n) => {
                            filled = n == buffer.len();
                            &buffer[..n]
                        }
                        Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(_) => break,
                    }
                }
            };
            let sent = match self.mode {
                OutputMode::Lines => match bytes.iter().rposition(|&b| b == b'\n') {
                    // Whole lines go out at once: what was held of the first
                    // one, then the rest, with nobody else in between.
                    Some(end) => {
                        let _turn = self.turn.lock().await;
                        let sent = self.send_all(&mut partial).await
                            && self.writer.send(bytes[..=end].to_vec()).await;
                        partial = Spool::default();
                        sent && self.kept(partial.push(&bytes[end + 1..]))
                    }
                    // A line longer than memory allows spills to a file.
                    None => self.kept(partial.push(bytes)),
                },
                OutputMode::Unordered => self.hold(index, bytes),
                OutputMode::Ordered | OutputMode::Raw => {
                    let live = {
                        let state = self.state.borrow();
                        state.current == index && state.live
                    };
                    if !live && self.state.borrow().current == index {
                        // Its turn has come and what it held is being
                        // written out: hold this too, then read no more
                        // until it goes out live. Reading on meanwhile would
                        // hold, and write out through the spool, as fast as
                        // the branch prints: perhaps everything it prints.
                        let held = self.hold(index, bytes);
                        first = None;
                        self.went_live(index).await;
                        if !held {
                            return;
                        }
                        continue;
                    }
                    if live {
                        if !self.writer.send(bytes.to_vec()).await {
                            return;
                        }
                        // The rest of a live branch goes from its pipe to the
                        // block's stdout inside the writer thread, with
                        // splice(2) where it can: no copy, no hand-offs.
                        if let Ok(fd) = receiver.into_blocking_fd() {
                            super::io::widen(std::os::fd::AsRawFd::as_raw_fd(&fd));
                            self.writer.stream(fd).await;
                        }
                        return;
                    }
                    self.hold(index, bytes)
                }
            };
            first = None;
            // Let the rest of the block run between two reads: a branch
            // printing fast is always ready, and would otherwise keep this
            // thread holding its output while the other branches wait to
            // start or to end (in `ordered` mode, for its turn to come).
            tokio::task::yield_now().await;
            // The block's reader is gone: stop reading, so the branch's
            // writers get EPIPE as they would writing to it directly.
            if !sent {
                return;
            }
        }
        // A last line without a newline goes out as it is.
        let _turn = self.turn.lock().await;
        self.send_all(&mut partial).await;
    }

    /// Waits until branch `index`, whose turn it is, goes out live.
    async fn went_live(&self, index: usize) {
        loop {
            let notified = self.turn_passed.notified();
            {
                let state = self.state.borrow();
                if state.current != index || state.live {
                    return;
                }
            }
            notified.await;
        }
    }

    /// Sends everything a spool holds, in order; false once the block's
    /// stdout is closed.
    async fn send_all(&self, spool: &mut Spool) -> bool {
        while let Some(chunk) = spool.next_chunk() {
            if !self.writer.send(chunk).await {
                return false;
            }
        }
        true
    }

    /// Holds bytes back; false once the block's stdout is closed, since
    /// they could then never be written (and a branch printing without end
    /// would fill the disk).
    fn hold(&self, index: usize, bytes: &[u8]) -> bool {
        if super::io::is_broken(self.target.as_fd()) {
            return false;
        }
        let pushed = self.state.borrow_mut().spools[index].push(bytes);
        self.kept(pushed)
    }

    /// Whether bytes were held; if not (no temporary file could take
    /// them), the block fails with that error, as when its stdout refuses
    /// them, once the branch has stopped (it is read no more).
    fn kept(&self, pushed: std::io::Result<()>) -> bool {
        let Err(error) = pushed else { return true };
        let mut state = self.state.borrow_mut();
        if state.hold_error.is_none() {
            let text = format!(
                "no temporary file to hold it in: {}",
                super::error::reason(&error)
            );
            state.hold_error = Some(std::io::Error::new(error.kind(), text));
        }
        false
    }

    /// Branch `index` has ended and all its output was read.
    pub async fn complete(&self, index: usize) {
        self.state.borrow_mut().complete[index] = true;
        match self.mode {
            OutputMode::Unordered => {
                let _turn = self.turn.lock().await;
                self.flush(index).await;
            }
            OutputMode::Ordered => {
                if self.state.borrow().current != index {
                    return;
                }
                let _turn = self.turn.lock().await;
                // Hand the turn on: complete branches go out whole; the
                // first incomplete one goes out so far, then live.
                loop {
                    let next = {
                        let mut state = self.state.borrow_mut();
                        state.current += 1;
                        state.live = false;
                        state.current
                    };
                    if next >= self.state.borrow().complete.len() {
                        break;
                    }
                    self.flush(next).await;
                    let mut state = self.state.borrow_mut();
                    if !state.complete[next] {
                        // Nothing is held now (flush emptied it, with no
                        // wait since): the rest goes out live. A branch
                        // not started yet will write straight through.
                        state.live = state.started[next];
                        self.turn_passed.notify_waiters();
                        break;
                    }
                }
            }
            OutputMode::Lines | OutputMode::Raw => {}
        }
    }

    /// Writes out all that branch `index` has held, until it holds nothing.
    async fn flush(&self, index: usize) {
        loop {
            let chunk = self.state.borrow_mut().spools[index].next_chunk();
            match chunk {
                Some(chunk) => {
                    if !self.writer.send(chunk).await {
                        self.state.borrow_mut().spools[index] = Spool::default();
                        return;
                    }
                }
                None => return,
            }
        }
    }

    /// Waits until everything has been written.
    /// Waits until everything is written; returns the error that stopped
    /// the writing (EPIPE: the block's reader went away).
    pub async fn finish(self) -> Option<std::io::Error> {
        let written = self.writer.finish().await;
        written.or(self.state.into_inner().hold_error)
    }
}

/// Bytes held back: in memory up to [`SPOOL_MEMORY`], then all in an
/// unnamed temporary file, read back in order.
#[derive(Default)]
struct Spool {
    memory: Vec<u8>,
    file: Option<File>,
    written: u64,
    read: u64,
}

impl Spool {
    fn push(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() && self.memory.len() + bytes.len() <= SPOOL_MEMORY {
            self.memory.extend_from_slice(bytes);
            return Ok(());
        }
        if self.file.is_none() {
            let held = std::mem::take(&mut self.memory);
            self.file = Some(super::io::temporary_file()?);
            self.append(&held)?;
        }
        self.append(bytes)
    }

    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(file) = &self.file {
            file.write_all_at(bytes, self.written)?;
            self.written += bytes.len() as u64;
        }
        Ok(())
    }

    fn next_chunk(&mut self) -> Option<Vec<u8>> {
        if let Some(file) = &self.file
            && self.read < self.written
        {
            let len = CHUNK.min((self.written - self.read) as usize);
            let mut chunk = vec![0u8; len];
            if file.read_exact_at(&mut chunk, self.read).is_err() {
                return None;
            }
            self.read += len as u64;
            return Some(chunk);
        }
        if self.memory.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.memory))
        }
    }
}

/// What the writer thread is asked to do.
enum Message {
    Write(Vec<u8>),
    /// Copy all of this pipe, to its end, then answer.
    Stream(OwnedFd, tokio::sync::oneshot::Sender<()>),
    /// Answer once everything before has been written.
    Drain(tokio::sync::oneshot::Sender<()>),
}

/// Writes chunks to one fd from a thread of its own.
struct Writer {
    sender: Option<tokio::sync::mpsc::Sender<Message>>,
    done: tokio::sync::oneshot::Receiver<Option<std::io::Error>>,
    broken: Arc<AtomicBool>,
    /// Set when the writing is given up: the thread writes nothing more.
    abandoned: Arc<AtomicBool>,
    /// Counts the writes the thread has made, to tell a reader that reads
    /// from one that does not.
    progress: Arc<AtomicU64>,
    scope: Rc<CancelScope>,
}

/// What the writer thread and the event loop share of the writing.
struct Watch {
    given_up: Arc<AtomicBool>,
    progress: Arc<AtomicU64>,
}

impl Watch {
    fn given_up(&self) -> bool {
        self.given_up.load(Ordering::SeqCst)
    }

    fn wrote(&self) {
        self.progress.fetch_add(1, Ordering::SeqCst);
    }
}

impl Writer {
    fn spawn(fd: OwnedFd, scope: Rc<CancelScope>) -> std::io::Result<Writer> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Message>(QUEUE);
        let (done_sender, done) = tokio::sync::oneshot::channel();
        let broken = Arc::new(AtomicBool::new(false));
        let flag = broken.clone();
        let abandoned = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(AtomicU64::new(0));
        let watch = Watch {
            given_up: abandoned.clone(),
            progress: progress.clone(),
        };
        std::thread::Builder::new()
            .name("pipe-output".to_owned())
            .stack_size(64 * 1024)
            .spawn(move || {
                let mut out = File::from(fd);
                let mut failure = None;
                while let Some(message) = receiver.blocking_recv() {
                    if watch.given_up() {
                        break;
                    }
                    let written = match message {
                        Message::Write(chunk) => write_all(&mut out, &chunk, &watch),
                        Message::Stream(from, answer) => {
                            let written = stream(from, &mut out, &watch);
                            let _ = answer.send(());
                            written
                        }
                        Message::Drain(answer) => {
                            let _ = answer.send(());
                            Ok(())
                        }
                    };
                    if let Err(err) = written {
                        flag.store(true, Ordering::SeqCst);
                        failure = Some(err);
                        break;
                    }
                }
                drop(receiver);
                let _ = done_sender.send(failure);
            })?;
        Ok(Writer {
            sender: Some(sender),
            done,
            broken,
            abandoned,
            progress,
            scope,
        })
    }

    /// Runs `work` unless, or until, the scope is killed and the reader
    /// then takes nothing for [`STALL`]; then the writer gives up what it
    /// has not written, and this is None.
    async fn unless_killed<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        if self.abandoned.load(Ordering::SeqCst) {
            return None;
        }
        tokio::select! {
            biased;
            done = work => Some(done),
            () = self.stalled() => {
                self.abandon();
                None
            }
        }
    }

    /// Returns once the scope has been killed and, since, the writer
    /// thread has written nothing for [`STALL`]. (Once the branches are
    /// killed, what keeps the writing going is the reader alone.)
    async fn stalled(&self) {
        self.scope.killed().await;
        loop {
            let before = self.progress.load(Ordering::SeqCst);
            tokio::time::sleep(STALL).await;
            if self.progress.load(Ordering::SeqCst) == before {
                return;
            }
        }
    }

    /// Queues a chunk; false once the block's stdout is closed, or the
    /// writing given up.
    async fn send(&self, chunk: Vec<u8>) -> bool {
        if self.broken.load(Ordering::SeqCst) {
            return false;
        }
        let Some(sender) = &self.sender else {
            return false;
        };
        if self.abandoned.load(Ordering::SeqCst) {
            return false;
        }
        // With room in the queue, no wait, and nothing to give up.
        let chunk = match sender.try_send(Message::Write(chunk)) {
            Ok(()) => return true,
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return false,
            Err(tokio::sync::mpsc::error::TrySendError::Full(chunk)) => chunk,
        };
        self.unless_killed(sender.send(chunk))
            .await
            .is_some_and(|sent| sent.is_ok())
    }

    /// Has the writer thread copy all of `from` to the block's stdout, after
    /// what is queued, and waits until it is done.
    async fn stream(&self, from: OwnedFd) {
        if let Some(sender) = &self.sender {
            let (answer, done) = tokio::sync::oneshot::channel();
            self.unless_killed(async {
                if sender.send(Message::Stream(from, answer)).await.is_ok() {
                    let _ = done.await;
                }
            })
            .await;
        }
    }

    /// Waits until everything queued so far has been written.
    async fn drain(&self) {
        if let Some(sender) = &self.sender {
            let (answer, written) = tokio::sync::oneshot::channel();
            self.unless_killed(async {
                if sender.send(Message::Drain(answer)).await.is_ok() {
                    let _ = written.await;
                }
            })
            .await;
        }
    }

    /// Waits until everything is written, or given up; the error that
    /// stopped the writing, if any.
    async fn finish(mut self) -> Option<std::io::Error> {
        self.sender = None;
        if self.abandoned.load(Ordering::SeqCst) {
            return None;
        }
        let mut done = std::mem::replace(&mut self.done, tokio::sync::oneshot::channel().1);
        self.unless_killed(&mut done)
            .await
            .and_then(|written| written.ok().flatten())
    }

    /// Gives up what is not written yet.
    fn abandon(&self) {
        self.abandoned.store(true, Ordering::SeqCst);
        self.scope.note_dropped_output();
    }
}

/// Writes all of `chunk`, unless the writing is given up between two
/// writes. An fd left non-blocking by whoever opened it is waited for.
fn write_all(out: &mut File, mut chunk: &[u8], watch: &Watch) -> std::io::Result<()> {
    while !chunk.is_empty() && !watch.given_up() {
        match out.write(chunk) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                watch.wrote();
                chunk = &chunk[n..];
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                wait_for(out, libc::POLLOUT)
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Waits until `fd`, non-blocking, is ready for `events` (POLLOUT: takes
/// more; POLLIN: holds something or is closed), for at most 100 ms, so
/// that a writing given up meanwhile is seen.
fn wait_for(fd: &impl std::os::fd::AsRawFd, events: libc::c_short) {
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events,
        revents: 0,
    };
    // SAFETY: one pollfd of our own; an error or a timeout only makes the
    // caller try again.
    unsafe { libc::poll(&mut poll, 1, 100) };
}

/// How many bytes wait in the pipe `fd` (0 if that cannot be told).
#[cfg(target_os = "linux")]
fn pending(fd: &OwnedFd) -> usize {
    use std::os::fd::AsRawFd;
    let mut count: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int.
    let ok = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut count) } == 0;
    if ok { count.max(0) as usize } else { 0 }
}

/// Copies a pipe to its end into `out`; an error once `out` cannot be
/// written (EPIPE: it is closed).
fn stream(from: OwnedFd, out: &mut File, watch: &Watch) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        super::io::widen(out.as_raw_fd());
        loop {
            // SAFETY: splice between two fds we hold, the source a pipe.
            let moved = unsafe {
                libc::splice(
                    from.as_raw_fd(),
                    std::ptr::null_mut(),
                    out.as_raw_fd(),
                    std::ptr::null_mut(),
                    CHUNK * 16,
                    libc::SPLICE_F_MOVE,
                )
            };
            if watch.given_up() {
                return Ok(());
            }
            if moved > 0 {
                watch.wrote();
            }
            match moved {
                0 => return Ok(()),
                n if (n as usize) < BATCH && pending(&from) < BATCH => {
                    // The branch writes in small pieces and this thread
                    // keeps up (its pipe is all but empty), so each piece
                    // would cost a wake-up of this thread and of the
                    // reader. A pause lets a batch gather in the (wide)
                    // pipe; it delays output by less than a scheduler tick.
                    // (When the target's room was what limited the move,
                    // the next splice waits for room instead.)
                    std::thread::sleep(std::time::Duration::from_micros(100));
                }
                n if n > 0 => continue,
                _ => match std::io::Error::last_os_error().raw_os_error() {
                    Some(libc::EINTR) => continue,
                    // The target was left non-blocking, which makes a
                    // splice between two pipes non-blocking on both
                    // sides: wait for whichever it waited for.
                    Some(libc::EAGAIN) if pending(&from) == 0 => wait_for(&from, libc::POLLIN),
                    Some(libc::EAGAIN) => wait_for(out, libc::POLLOUT),
                    Some(libc::EPIPE) => {
                        return Err(std::io::Error::from_raw_os_error(libc::EPIPE));
                    }
                    // The target cannot be spliced to: copy instead.
                    _ => break,
                },
            }
        }
    }
    let mut from = File::from(from);
    let mut buffer = vec![0u8; CHUNK];
    loop {
        match std::io::Read::read(&mut from, &mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => write_all(out, &buffer[..n], watch)?,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Ok(()),
        }
    }
}
