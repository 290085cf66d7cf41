//! The language as users see it: one script, its output and status.

use crate::harness::Test;

mod commands;
mod redirects;
mod statements;
mod words;

/// The script succeeds and prints exactly `stdout`.
fn ok(script: &str, stdout: &str) {
    Test::new().script(script).stdout(stdout).status(0).run();
}

/// The script ends with `status` and a diagnostic holding `message`.
fn fails(script: &str, status: i32, message: &str) {
    Test::new()
        .script(script)
        .status(status)
        .stderr_has(message)
        .run();
}

/// The files of a run's directory, by name.
fn read(run: &crate::harness::Run, name: &str) -> String {
    std::fs::read_to_string(run.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `script` with the test's directory as `$1`, from `/`, as nobody
/// when run as root (root may go anywhere), while its `locked` directory
/// may not be searched (mode 600); then gives the directory its mode back.
fn run_past_a_locked_directory(test: &Test, script: &str) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let dir = test.path().to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut command = std::process::Command::new(crate::harness::PIPE);
    command
        .args(["-c", script])
        .arg(&dir)
        .current_dir("/")
        .env("NO_COLOR", "1");
    crate::harness::as_nobody(&mut command);
    let output = command.output().unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    output
}
