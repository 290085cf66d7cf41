//! Scripts that are fine, run in surroundings that are not: odd
//! environments, values from the outside world, signals by name.

use crate::harness::Test;

#[test]
fn expanded_header_values_take_spaces_around_them_as_range_bounds_do() {
    // `seq` and `nproc`-like output, or a file's text, with spaces.
    Test::new()
        .script(
            "let n = \" 3 \"\nfor i in 1..$n { echo $i }\n\
             parallel max \"$(echo ' 2 ')\" for i in 1..$n { echo b$i }\n\
             timeout \"$(echo ' 5s ')\" grace \" 1s\" { echo t }",
        )
        .stdout("1\n2\n3\nb1\nb2\nb3\nt\n")
        .run();
    Test::new()
        .script("parallel max \"$(echo ' 2 x')\" { echo a }")
        .stdout("")
        .status(1)
        .stderr_has("pipe::run::bad_value")
        .run();
}

#[test]
fn a_real_time_signal_is_named_as_the_script_wrote_it() {
    let run = Test::new()
        .script("timeout 50ms signal RTMIN+1 grace 5s { sleep 5 }")
        .status(124)
        .stderr_has("ended by SIGRTMIN+1")
        .run();
    assert!(!run.stderr().contains("signal 35"), "{}", run.stderr());
    Test::new()
        .script("sh -c 'kill -s RTMAX-2 $$'")
        .status(128 + libc::SIGRTMAX() - 2)
        .stderr_has("killed by SIGRTMAX-2")
        .run();
}

#[test]
fn a_here_string_works_where_tmpdir_takes_no_file() {
    // A missing $TMPDIR, or one that is a file: bash's `<<<` falls back, and
    // it was "cannot open `<<<`: no such file or directory".
    for tmpdir in ["/nonexistent/pipe-tmp", "script.pipe"] {
        Test::new()
            .env("TMPDIR", tmpdir)
            .script("cat <<< hi\n{ wc -c } <<< \"$(head -c 100000 /dev/zero | tr '\\0' x)\"")
            .stdout("hi\n100001\n")
            .run();
    }
}

#[test]
fn a_glob_that_matches_nothing_says_which_directory_could_not_be_read() {
    // A link to itself: a directory that cannot be read (as one the user
    // may not read) was "matched no file" with no word of why.
    let test = Test::new();
    std::os::unix::fs::symlink("loop", test.path().join("loop")).unwrap();
    let run = test
        .script("for f in loop/*.txt { echo $f }")
        .status(1)
        .stderr_has("pipe::run::no_match")
        .run();
    insta::assert_snapshot!(run.stderr());
}

/// A name written after a wildcard (`*/x.txt`) in a directory that may
/// be listed but not searched: nothing matched, as in bash, and the help
/// said to quote the word; it now names the directory. Root may search
/// anything: it runs as nobody.
#[test]
fn a_glob_that_matches_nothing_says_which_directory_could_not_be_searched() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new().file("locked/x.txt", "");
    let dir = test.path().to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", "echo */x.txt"])
        .current_dir(&dir)
        .env("NO_COLOR", "1");
    crate::harness::as_nobody(&mut command);
    let output = command.output().unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 1, "{stderr}");
    assert!(stderr.contains("pipe::run::no_match"), "{stderr}");
    assert!(
        stderr.contains("the directory `locked` could not be searched"),
        "{stderr}"
    );
}

#[test]
fn started_in_a_removed_directory_cd_dotdot_goes_on_from_it() {
    // As cron or a test runner may leave it: the directory pipe starts in
    // is removed. `cd ..` made the empty path, and every later command
    // failed with "interpreter `its interpreter` not found".
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let test = Test::new();
    let sub = test.path().join("gone/sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(test.path().join("gone/inside"), "").unwrap();
    let doomed = std::ffi::CString::new(sub.as_os_str().as_bytes()).unwrap();
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", "cd ..\nls\ncd ../gone\nls"])
        .current_dir(&sub)
        .env("NO_COLOR", "1");
    // SAFETY: rmdir between fork and exec, after the change of directory.
    unsafe {
        command.pre_exec(move || {
            libc::rmdir(doomed.as_ptr());
            Ok(())
        });
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 0, "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "inside\ninside\n");
}

/// The directory pipe runs in removed while it runs: `cd ..` took the
/// name `$PWD` gave it, `.../sub/..`, which no longer leads anywhere, and
/// failed, where bash's goes to the parent, as `..` still leads there.
#[test]
fn removed_while_it_runs_cd_dotdot_goes_to_the_parent() {
    let test = Test::new();
    let sub = test.path().join("gone/sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(test.path().join("gone/inside"), "").unwrap();
    let output = test
        .command()
        .args(["-c", "rmdir ../sub\ncd ..\nls\necho $PWD"])
        .current_dir(&sub)
        .env("PWD", &sub)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 0, "{stderr}");
    let parent = std::fs::canonicalize(test.path().join("gone")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("inside\n{}\n", parent.display())
    );
}

#[test]
fn a_working_directory_removed_after_cd_is_named_when_a_command_cannot_start() {
    // It was "cannot run `ls`: interpreter `its interpreter` not found".
    let run = Test::new()
        .script("mkdir d\ncd d\nrmdir ../d\nls | cat")
        .status(126)
        .stderr_has("pipe::run::working_directory")
        .stderr_has("/d`: no such file or directory")
        .stderr_has("could not start there")
        .stderr_has("`cd` to one that exists")
        .stderr_has("stage statuses: ls 126 | cat 126")
        .run();
    assert!(
        run.stderr().contains("× cannot run `ls` in `"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("interpreter"), "{}", run.stderr());
}

/// The longest line a diagnostic on a terminal of `cols` columns has,
/// colour escapes aside, with `$COLUMNS` set to `columns` or unset, and
/// `$NO_COLOR` set or not.
fn widest_line_on_terminal(cols: u16, columns: Option<&str>, no_color: bool) -> usize {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let (master, slave) = crate::lifetime::open_pty();
    let size = libc::winsize {
        ws_row: 24,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads the winsize it is given.
    assert_eq!(
        unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &size) },
        0
    );
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", "false"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdin(std::process::Stdio::from(slave.try_clone().unwrap()))
        .stdout(std::process::Stdio::from(slave.try_clone().unwrap()))
        .stderr(std::process::Stdio::from(slave));
    if let Some(columns) = columns {
        command.env("COLUMNS", columns);
    }
    if no_color {
        command.env("NO_COLOR", "1");
    }
    // SAFETY: setsid between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    drop(command);
    let master = std::fs::File::from(master);
    let terminal = crate::lifetime::drain(&master);
    let output = crate::harness::wait_with_deadline(child, std::time::Duration::from_secs(10));
    drop(master);
    let text = terminal.join().unwrap();
    assert_eq!(crate::harness::status_of(&output), 1, "{text:?}");
    assert!(text.contains("the script stops at the first"), "{text:?}");
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: up to its final letter.
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            plain.push(c);
        }
    }
    plain
        .lines()
        .map(|line| line.trim_end().chars().count())
        .max()
        .unwrap()
}

#[test]
fn diagnostics_on_a_terminal_wrap_at_its_width() {
    // Shells seldom export COLUMNS: a terminal of 50 columns got lines
    // of 80, and COLUMNS=20 got 80 too rather than the narrowest layout.
    let widest = widest_line_on_terminal(50, None, false);
    assert!((40..=50).contains(&widest), "{widest}");
    let widest = widest_line_on_terminal(120, Some("20"), false);
    assert!(widest <= 40, "{widest}");
    let widest = widest_line_on_terminal(50, Some("100"), false);
    assert!(widest > 50, "{widest}");
}

#[test]
fn plain_diagnostics_on_a_terminal_wrap_at_its_width_too() {
    // NO_COLOR asks for no colour, not for 80 columns: a terminal of 50
    // columns got lines of 80 with it.
    let widest = widest_line_on_terminal(50, None, true);
    assert!((40..=50).contains(&widest), "{widest}");
}

#[test]
fn a_double_star_matches_links_to_directories_without_walking_them() {
    // As bash 5.2's globstar: a link to a directory is matched by `**`
    // (and looked into by the next component) but not walked, so links
    // that loop back end at once. They were left out.
    let test = Test::new().file("d/sub/x.txt", "");
    std::os::unix::fs::symlink("..", test.path().join("d/sub/up")).unwrap();
    std::os::unix::fs::symlink("../sub", test.path().join("d/sub/self")).unwrap();
    test.script("echo d/**/\necho d/**/*.txt\necho d/**")
        .stdout(
            "d/ d/sub/ d/sub/self/ d/sub/up/\n\
             d/sub/self/x.txt d/sub/x.txt\n\
             d/ d/sub d/sub/self d/sub/up d/sub/x.txt\n",
        )
        .run();
}

#[test]
fn a_leading_double_star_looks_into_links_to_directories_too() {
    // Where bash 5.2 looks into no link at all (its `**/*.txt` leaves out
    // `link/a.txt`, its `./**/*.txt` holds it), pipe looks into a link as
    // it does after a directory, one level and no further, as its docs
    // say: the same files as `./**/*.txt`.
    let test = Test::new().file("d/a.txt", "").file("d/e/b.txt", "");
    std::os::unix::fs::symlink("d", test.path().join("link")).unwrap();
    test.script("echo **/*.txt\necho ./**/*.txt\necho **/\necho **")
        .stdout(
            "d/a.txt d/e/b.txt link/a.txt\n\
             ./d/a.txt ./d/e/b.txt ./link/a.txt\n\
             d/ d/e/ link/\n\
             d d/a.txt d/e d/e/b.txt link script.pipe\n",
        )
        .run();
}

#[test]
fn a_path_with_no_directory_is_named_when_a_command_is_not_found() {
    // A cron job's or a container's PATH: it was only "check the spelling,
    // or install it", whatever PATH held.
    for (path, help) in [
        ("", "help: PATH is empty, so no command can be found"),
        (
            "/nonexistent/bin:.",
            "help: PATH (`/nonexistent/bin:.`) holds no absolute directory that exists",
        ),
    ] {
        Test::new()
            .env("PATH", path)
            .script("ls")
            .status(127)
            .stderr_has("pipe::run::command_not_found")
            .stderr_has(help)
            .run();
        Test::new()
            .env("PATH", path)
            .flag("check")
            .script("ls")
            .status(1)
            .stderr_has(help)
            .run();
    }
    // With a directory that exists on it, a missing command is told as ever.
    Test::new()
        .script("surely-no-such-command-here")
        .status(127)
        .stderr_has("help: check the spelling, or install it")
        .run();
}

#[test]
fn cd_dash_that_cannot_print_says_so() {
    // On a full disk `cd -` said "cannot write the block's output", where
    // there is no block.
    let test = Test::new().script("cd /\ncd -\necho never > marker");
    let mut command = test.command();
    command.stdout(std::fs::File::create("/dev/full").unwrap());
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 1, "{stderr}");
    assert!(!test.path().join("marker").exists());
    insta::assert_snapshot!(stderr);
}

#[test]
fn globs_match_names_that_are_not_utf8_byte_for_byte() {
    // A directory named in Latin-1, found by one glob and globbed into by
    // the next: `$d/*` matched no file, its byte read as U+FFFD. And
    // `"c\xff"*` matched `c\xfe.txt`, both bytes being U+FFFD.
    use std::os::unix::ffi::OsStrExt;
    let test = Test::new();
    let name = |bytes: &[u8]| test.path().join(std::ffi::OsStr::from_bytes(bytes));
    std::fs::create_dir(name(b"d\xff")).unwrap();
    std::fs::write(name(b"d\xff/f"), "").unwrap();
    std::fs::write(name(b"c\xfe.txt"), "").unwrap();
    test.script(
        "for d in d* { for f in $d/* { printf '%s\\n' $f } }\n\
         printf '%s\\n' \"c\\xfe\"* c?.txt\n\
         printf '%s\\n' \"c\\xff\"* || echo none",
    )
    .stdout(b"d\xff/f\nc\xfe.txt\nc\xfe.txt\nnone\n")
    .stderr_has("pipe::run::no_match")
    .run();
}

#[test]
fn a_block_at_the_process_limit_says_a_thread_could_not_be_created() {
    // `ulimit -u` reached: it was "a pipe could not be created: resource
    // temporarily unavailable", help `ulimit -n`, where no pipe gives
    // EAGAIN and a thread (which counts as a process) failed to start.
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", "parallel { echo a ; echo b }"])
        .current_dir("/")
        .env("NO_COLOR", "1");
    // SAFETY: setrlimit, setgid and setuid between fork and exec. Root
    // is not held to the limit, so it runs as nobody.
    unsafe {
        command.pre_exec(|| {
            let one = libc::rlimit {
                rlim_cur: 1,
                rlim_max: 1,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &one) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::geteuid() == 0 && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 1, "{stderr}");
    assert!(stderr.contains("pipe::run::pipe"), "{stderr}");
    assert!(
        stderr.contains("a thread could not be created: resource temporarily unavailable"),
        "{stderr}"
    );
    assert!(stderr.contains("(`ulimit -u`)"), "{stderr}");
}

#[test]
fn a_binary_whose_loader_is_missing_names_the_loader() {
    // A binary built for another system (musl's in a glibc container):
    // it was "interpreter `its interpreter` not found", help "fix the
    // script's `#!` line". Made here from `true` with its loader renamed.
    let mut elf = std::fs::read("/bin/true").unwrap();
    let head = &elf[..elf.len().min(4096)];
    let Some(start) = head.windows(5).position(|w| w == b"/lib/" || w == b"/lib6") else {
        return; // A static `true`: nothing names a loader.
    };
    let end = start + head[start..].iter().position(|&b| b == 0).unwrap();
    elf[end - 1] = b'X';
    let loader = String::from_utf8_lossy(&elf[start..end]).into_owned();
    let test = Test::new().file("foreign", &elf);
    let path = test.path().join("foreign");
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    test.script("./foreign")
        .status(127)
        .stderr_has("pipe::run::interpreter_not_found")
        .stderr_has(&format!("interpreter `{loader}` not found"))
        .stderr_has("it is a binary whose loader")
        .run();
}

/// A pipe (read end, write end) whose end `end` (0 or 1) is non-blocking,
/// as a parent may leave the one it hands down.
fn pipe_non_blocking_at(end: usize) -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills in two new fds, owned below; fcntl on one of them.
    unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        let flags = libc::fcntl(fds[end], libc::F_GETFL);
        libc::fcntl(fds[end], libc::F_SETFL, flags | libc::O_NONBLOCK);
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    }
}

#[test]
fn a_script_on_a_non_blocking_stdin_is_waited_for() {
    // A parent (Node.js, a CI runner) may leave its pipe non-blocking:
    // `pipe -` failed at once with "cannot read `standard input`:
    // resource temporarily unavailable" when the script was not there yet.
    use std::io::Write;
    for args in [&["-"][..], &["check", "-"][..]] {
        let (reader, writer) = pipe_non_blocking_at(0);
        let child = std::process::Command::new(crate::harness::PIPE)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::from(reader))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let mut writer = std::fs::File::from(writer);
        // Without the wait, pipe has already failed and gone: EPIPE.
        let _ = writer.write_all(b"echo hi\n");
        drop(writer);
        let output = crate::harness::wait_with_deadline(child, std::time::Duration::from_secs(10));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(crate::harness::status_of(&output), 0, "{args:?}: {stderr}");
        let expected = if args[0] == "-" { "hi\n" } else { "" };
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{args:?}"
        );
    }
}

/// A run of `test` with the soft limit on `resource` at `soft` bytes, and
/// the hard one at `hard` (None: left as it is).
fn with_limit(
    test: &Test,
    resource: libc::__rlimit_resource_t,
    soft: u64,
    hard: Option<u64>,
) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut command = test.command();
    // SAFETY: getrlimit and setrlimit between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let mut limit: libc::rlimit = std::mem::zeroed();
            libc::getrlimit(resource, &mut limit);
            limit.rlim_cur = soft;
            limit.rlim_max = hard.unwrap_or(limit.rlim_max);
            if libc::setrlimit(resource, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output().unwrap()
}

/// A run of `script` under a file size limit of 100 KiB (`ulimit -f 100`):
/// its status and stderr.
fn with_file_size_limit(script: &str) -> (i32, String) {
    let test = Test::new().script(script);
    let output = with_limit(&test, libc::RLIMIT_FSIZE, 100 << 10, Some(100 << 10));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (crate::harness::status_of(&output), stderr)
}

#[test]
fn past_the_file_size_limit_pipe_tells_the_write_that_failed() {
    // SIGXFSZ ended pipe (status 153) without a word when held output or
    // a here-string went past `ulimit -f`, its output lost; bash says
    // "cannot create temp file for here-document".
    // Held output no file can take fails the block, saying so, instead of
    // cutting the branch off as if its reader had gone (output lost).
    for mode in ["ordered", "unordered", "lines"] {
        let (status, stderr) = with_file_size_limit(&format!(
            "parallel {mode} {{ sleep 0.2 ; head -c 300000 /dev/zero }} > /dev/null"
        ));
        assert_eq!(status, 1, "{mode}: {stderr}");
        assert!(stderr.contains("pipe::run::write"), "{mode}: {stderr}");
        assert!(
            stderr.contains("no temporary file to hold it in: file too"),
            "{mode}: {stderr}"
        );
    }
    let (status, stderr) =
        with_file_size_limit("cat <<< \"$(head -c 200000 /dev/zero | tr '\\0' a)\" > /dev/null");
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("pipe::run::redirect"), "{stderr}");
    assert!(stderr.contains("file too large"), "{stderr}");
    assert!(stderr.contains("(`ulimit -f`)"), "{stderr}");
    // A child that writes past it still dies of it, as under bash.
    let (status, stderr) = with_file_size_limit("head -c 200000 /dev/zero > big");
    assert_eq!(status, 128 + libc::SIGXFSZ, "{stderr}");
    assert!(stderr.contains("killed by SIGXFSZ"), "{stderr}");
}

#[test]
fn a_tilde_with_no_home_at_all_says_what_to_set() {
    // HOME unset, as under `env -i` or a bare container, and a user with no
    // password entry: the help said to write `${HOME:-default}` for a `~`.
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return; // Only root can become a user with no password entry.
    }
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", "echo ~/notes"])
        .current_dir("/")
        .env_remove("HOME")
        .env("NO_COLOR", "1");
    // SAFETY: setgid and setuid between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setgid(54321) != 0 || libc::setuid(54321) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 1, "{stderr}");
    assert!(stderr.contains("pipe::run::undefined_variable"), "{stderr}");
    assert!(stderr.contains("`~` is the home directory"), "{stderr}");
    assert!(stderr.contains("(`export HOME = /path`)"), "{stderr}");
    assert!(!stderr.contains(":-default"), "{stderr}");
}

#[test]
fn a_newline_in_a_name_shows_as_an_escape_in_a_message() {
    // A file name may hold a newline: shown raw, `a` and `b` went on two
    // lines, as if the message had been wrapped at a space.
    let run = Test::new()
        .script("let d = \"$(printf 'a\\nb')\"\ncd $d")
        .status(1)
        .stderr_has("× cannot change directory to `a\\nb`: no such file or directory\n")
        .run();
    assert!(!run.stderr().contains("`a\n"), "{}", run.stderr());
    // A label too; the help keeps its own lines.
    Test::new()
        .script("let f = \"$(printf 'x\\ny')\"\ncat < $f | cat")
        .status(1)
        .stderr_has("cannot open `x\\ny`")
        .stderr_has("help: check the name")
        .stderr_has("\n        stage statuses: cat 1 | cat 0")
        .run();
    // The item of a failed `parallel for` branch, in the help.
    Test::new()
        .file("a\nb.txt", "")
        .script("parallel for f in *.txt { false $f }")
        .status(1)
        .stderr_has("\n        in the branch where `f` is `a\\nb.txt`\n")
        .run();
}

#[test]
fn a_glob_in_a_removed_working_directory_says_it_was_removed() {
    // It was "matched no file", help "quote the word... or check the
    // directory", with no word that the directory was gone.
    let run = Test::new()
        .script("mkdir d\ncd d\nrmdir ../d\necho *.txt")
        .status(1)
        .stderr_has("pipe::run::no_match")
        .run();
    // The help, its lines joined: the directory's name is long.
    let help = run.stderr().replace("\n        ", " ");
    assert!(
        help.contains("help: the working directory `")
            && help.contains("/d` was removed: nothing is in it"),
        "{help}"
    );
}

/// A stdout its parent left non-blocking: what pipe writes itself (held
/// or relayed output) waits for room, where it failed with "resource
/// temporarily unavailable" at the first full pipe and the rest was lost.
/// (A child writing there fails as it would under bash.)
#[test]
fn held_output_waits_for_a_non_blocking_stdout() {
    use std::io::Read;
    for (script, bytes) in [
        ("parallel lines { seq 100000 ; seq 100000 }", 2 * 588_895),
        ("parallel { true ; sleep 0.2 ; seq 200000 }", 1_288_895),
        (
            "parallel unordered { seq 100000 ; seq 100000 }",
            2 * 588_895,
        ),
    ] {
        let (reader, writer) = pipe_non_blocking_at(1);
        let child = std::process::Command::new(crate::harness::PIPE)
            .args(["-c", script])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::from(writer))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A reader slower than the writers, so that the pipe fills.
        let mut reader = std::fs::File::from(reader);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut data = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => data.extend_from_slice(&chunk[..n]),
                Err(err) => panic!("{err}"),
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let output = crate::harness::wait_with_deadline(child, std::time::Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(crate::harness::status_of(&output), 0, "{script}: {stderr}");
        assert_eq!(data.len(), bytes, "{script}");
    }
}

/// A low soft stack limit (`ulimit -Ss 512`) is raised for `pipe` itself,
/// as far as the hard limit allows, so that a script nested as deep as
/// pipe takes runs, where the main thread's stack overflowed (SIGSEGV);
/// children get the limit pipe was started with.
#[test]
fn a_low_soft_stack_limit_is_raised_for_pipe_only() {
    let depth = 49;
    let nested = format!(
        "{}true{}\nsh -c 'ulimit -s'\n",
        "parallel { ".repeat(depth),
        " }".repeat(depth)
    );
    for check in [false, true] {
        let mut test = Test::new();
        if check {
            test = test.flag("check");
        }
        let test = test.script(&nested);
        let output = with_limit(&test, libc::RLIMIT_STACK, 512 << 10, None);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            crate::harness::status_of(&output),
            0,
            "check {check}: {stderr}"
        );
        let stdout = if check { "" } else { "512\n" };
        assert_eq!(String::from_utf8_lossy(&output.stdout), stdout);
    }
}

/// A PATH entry with a `~` that nothing expanded (a quoted export, a
/// crontab's `PATH=~/bin:...`) is a directory named `~` to execvp: a
/// command not found says so, where it suggested an unrelated name.
#[test]
fn a_tilde_left_in_path_is_named_when_a_command_is_not_found() {
    let script = "export PATH = '~/tools:'$PATH\nmytool\n";
    for flag in [None, Some("check")] {
        let mut test = Test::new();
        if let Some(flag) = flag {
            test = test.flag(flag);
        }
        test.script(script)
            .env("HOME", "/nonexistent")
            .status(if flag.is_some() { 1 } else { 127 })
            .stderr_has("PATH holds `~/tools`, whose `~` no lookup expands")
            .stderr_has("write `$HOME/tools` there")
            .run();
    }
}

/// Under a hard stack limit too small for scripts nested as deep as pipe
/// takes them (bash's `ulimit -s 1024` sets the hard limit too, so it
/// cannot be raised), pipe takes them only as deep as its stack allows: a
/// deeper one is `pipe::parse::too_deep`, in every subcommand, where it was
/// SIGSEGV; one within the limit still runs.
#[test]
fn a_low_hard_stack_limit_lowers_the_nesting_limit_instead_of_crashing() {
    let nested = |depth: usize| {
        format!(
            "{}true{}\n",
            "parallel { ".repeat(depth),
            " }".repeat(depth)
        )
    };
    for (depth, status) in [(8, 0), (49, 2)] {
        for flag in [None, Some("check"), Some("fmt"), Some("graph")] {
            let mut test = Test::new();
            if let Some(flag) = flag {
                test = test.flag(flag);
            }
            let test = test.script(nested(depth));
            let output = with_limit(&test, libc::RLIMIT_STACK, 1 << 20, Some(1 << 20));
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                crate::harness::status_of(&output),
                status,
                "{flag:?} depth {depth}: {stderr}"
            );
            if status == 2 {
                assert!(stderr.contains("pipe::parse::too_deep"), "{stderr}");
                assert!(stderr.contains("may nest at most"), "{stderr}");
                // The help says why the limit is lower than the usual 50.
                assert!(stderr.contains("the stack limit (`ulimit -s`)"), "{stderr}");
            }
        }
    }
    // A stack with room for a level or two is said as such: it was "at
    // most 1 levels".
    let test = Test::new().script(nested(40));
    let output = with_limit(&test, libc::RLIMIT_STACK, 256 << 10, Some(256 << 10));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(crate::harness::status_of(&output), 2, "{stderr}");
    assert!(!stderr.contains(" 1 levels"), "{stderr}");
    assert!(stderr.contains("the stack limit (`ulimit -s`)"), "{stderr}");
}

/// Under a limit on open files too low for `pipe`'s own event loop
/// (`ulimit -n 4`), nothing runs, and the diagnostic says why: it was
/// "cannot start `pipe`", with the help for running fewer commands at once.
#[test]
fn too_few_files_for_pipe_itself_to_start() {
    let test = Test::new().script("echo hi > marker");
    let output = with_limit(&test, libc::RLIMIT_NOFILE, 4, Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("pipe::run::start"), "{stderr}");
    assert!(stderr.contains("nothing of it ran"), "{stderr}");
    assert!(stderr.contains("`ulimit -n`"), "{stderr}");
    assert!(!stderr.contains("parallel max"), "{stderr}");
    assert!(!test.path().join("marker").exists());
}
