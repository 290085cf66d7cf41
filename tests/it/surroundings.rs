//! Scripts that are fine, run in surroundings that are not: odd
//! environments, values from the outside world, signals by name.

use crate::harness::Test;

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
