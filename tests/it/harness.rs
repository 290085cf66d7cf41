//! A fluent harness over the built `pipe` binary:
//! `Test::new().script(..).args(..).stdin(..).stdout(..).status(n).run()`.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PIPE: &str = env!("CARGO_BIN_EXE_pipe");

pub struct Test {
    dir: tempfile::TempDir,
    script: Option<Vec<u8>>,
    flags: Vec<OsString>,
    args: Vec<OsString>,
    stdin: Vec<u8>,
    env: Vec<(String, String)>,
    stdout: Option<Vec<u8>>,
    stderr_has: Vec<String>,
    stderr_empty: bool,
    status: i32,
}

/// What a run produced, for further checks.
pub struct Run {
    pub output: Output,
    pub elapsed: Duration,
    pub dir: PathBuf,
    _keep: Option<tempfile::TempDir>,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            script: None,
            flags: Vec::new(),
            args: Vec::new(),
            stdin: Vec::new(),
            env: Vec::new(),
            stdout: None,
            stderr_has: Vec::new(),
            stderr_empty: false,
            status: 0,
        }
    }

    /// The script, written to `script.pipe` in the test's own directory.
    pub fn script(mut self, text: impl AsRef<[u8]>) -> Test {
        self.script = Some(text.as_ref().to_vec());
        self
    }

    /// An option of `pipe`'s own, before the script's name.
    pub fn flag(mut self, flag: impl Into<OsString>) -> Test {
        self.flags.push(flag.into());
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Test {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Test {
        self.stdin = bytes.as_ref().to_vec();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// A file in the test's directory, before the run.
    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Test {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, contents).expect("write file");
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn stdout(mut self, bytes: impl AsRef<[u8]>) -> Test {
        self.stdout = Some(bytes.as_ref().to_vec());
        self
    }

    /// Stderr must contain this text.
    pub fn stderr_has(mut self, text: &str) -> Test {
        self.stderr_has.push(text.to_owned());
        self
    }

    pub fn stderr_empty(mut self) -> Test {
        self.stderr_empty = true;
        self
    }

    pub fn status(mut self, status: i32) -> Test {
        self.status = status;
        self
    }

    /// The command that would run, for tests that need to drive it themselves.
    pub fn command(&self) -> Command {
        let mut command = Command::new(PIPE);
        command.args(&self.flags);
        if let Some(script) = &self.script {
            std::fs::write(self.dir.path().join("script.pipe"), script).expect("write script");
            command.arg("script.pipe");
        }
        command
            .args(&self.args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        // pipe starts as from an interactive shell, whatever the tests were
        // started under (`nohup cargo test` ignores SIGHUP, which pipe would
        // keep ignored): a test that wants one ignored sets it after this.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                for signal in [
                    libc::SIGHUP,
                    libc::SIGINT,
                    libc::SIGQUIT,
                    libc::SIGTERM,
                    libc::SIGUSR1,
                    libc::SIGUSR2,
                    libc::SIGALRM,
                    libc::SIGTSTP,
                ] {
                    libc::signal(signal, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        command
    }

    pub fn run(self) -> Run {
        let mut command = self.command();
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = command.spawn().expect("spawn pipe");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = self.stdin.clone();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let output = wait_with_deadline(child, Duration::from_secs(60));
        let elapsed = start.elapsed();
        let _ = writer.join();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(!stderr.contains("panicked"), "pipe panicked:\n{stderr}");
        if let Some(expected) = &self.stdout {
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(expected),
                "stdout differs; stderr was:\n{stderr}"
            );
            assert_eq!(&output.stdout, expected, "stdout bytes differ");
        }
        for text in &self.stderr_has {
            assert!(
                stderr.contains(text.as_str()),
                "stderr lacks {text:?}:\n{stderr}"
            );
        }
        if self.stderr_empty {
            assert!(stderr.is_empty(), "stderr is not empty:\n{stderr}");
        }
        assert_eq!(
            status_of(&output),
            self.status,
            "status differs\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        Run {
            output,
            elapsed,
            dir: self.dir.path().to_path_buf(),
            _keep: Some(self.dir),
        }
    }
}

/// The status as a shell shows it: the code, or 128+N for signal N.
pub fn status_of(output: &Output) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    output
        .status
        .code()
        .unwrap_or_else(|| 128 + output.status.signal().unwrap_or(0))
}

/// Waits for the child, killing it after `limit` so a hang fails the test.
pub fn wait_with_deadline(child: std::process::Child, limit: Duration) -> Output {
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let watchdog = std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < limit {
            if flag.load(std::sync::atomic::Ordering::SeqCst) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: kill on a pid we spawned and have not yet reaped.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        true
    });
    let output = child.wait_with_output().expect("wait for pipe");
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let hung = watchdog.join().unwrap_or(false);
    assert!(!hung, "pipe hung for more than {limit:?}");
    output
}

/// Processes whose command line holds `marker`, to prove none is left.
pub fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(marker) && !text.contains("cargo") {
            found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Starts the test's `pipe` with no stdin and piped stdout and stderr, for
/// tests that read its output as it comes.
pub fn spawn_piped(test: &Test) -> std::process::Child {
    test.command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pipe")
}

/// Runs the test's `pipe` with stdout piped, reads `n` bytes of it, closes
/// it as `head -c n` would, and waits (at most `limit`) for `pipe` to end.
pub fn read_then_close(test: &Test, n: usize, limit: Duration) -> Output {
    use std::io::Read;
    let mut child = spawn_piped(test);
    let mut first = vec![0u8; n];
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read stdout");
    drop(child.stdout.take());
    wait_with_deadline(child, limit)
}

/// Makes `command` run as nobody when the tests run as root, whom no
/// permission stops: for tests of what a user may not read or search.
pub fn as_nobody(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setgid and setuid between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::geteuid() == 0 && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
