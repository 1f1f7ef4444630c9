//! Waiting for long operations and finding instances, against the fake on a manual
//! clock: every wait finishes at once, however long it is in fake time.

mod common;

use std::cell::RefCell;
use std::time::Duration;

use tiktalik::clock::Clock;
use tiktalik::fake::DEBIAN_IMAGE;
use tiktalik::wait::{Goal, Progress, WaitFailure};
use tiktalik::{Connection, Details, Error, InstanceState, Size, Waiter};

const NODE_1: &str = "71717dfb-3e86-487f-bcf0-01f6856d6bcd";

use common::manual_fake as manual;

fn create(conn: &Connection, hostname: &str) -> tiktalik::Instance {
    conn.create_instance(hostname, Size::units(2).unwrap(), DEBIAN_IMAGE, &["auto"])
        .unwrap()
}

fn wait_error(err: Error) -> tiktalik::wait::WaitError {
    match err {
        Error::Wait(wait) => *wait,
        other => panic!("expected a wait error, got {other:?}"),
    }
}

#[test]
fn progress_callback_sees_every_poll_of_an_install() {
    let (_fake, clock, conn) = manual();
    let web = create(&conn, "web-1");
    let started = clock.now();
    let seen = RefCell::new(Vec::<Progress>::new());
    let running = Waiter::new()
        .poll_interval(Duration::from_secs(10))
        .on_progress(|p| seen.borrow_mut().push(p.clone()))
        .until_running(&conn, &web.uuid)
        .unwrap();
    assert!(running.is_running());
    let seen = seen.into_inner();
    let percents: Vec<_> = seen.iter().map(|p| p.percent).collect();
    assert_eq!(
        percents,
        [
            Some(0),
            Some(16),
            Some(33),
            Some(50),
            Some(66),
            Some(83),
            None
        ]
    );
    assert!(
        seen[..6]
            .iter()
            .all(|p| p.state == Some(InstanceState::Installing) && !p.running)
    );
    assert_eq!(seen[0].operation.as_deref(), Some("Create_Install: web-1"));
    assert_eq!(seen[0].pending_operations, 1);
    let last = seen.last().unwrap();
    assert_eq!(
        (last.state, last.running, last.pending_operations),
        (Some(InstanceState::Running), true, 0)
    );
    let elapsed: Vec<u64> = seen.iter().map(|p| p.elapsed.as_secs()).collect();
    assert_eq!(elapsed, [0, 10, 20, 30, 40, 50, 60]);
    assert_eq!(
        clock.now().duration_since(started).unwrap(),
        Duration::from_secs(60)
    );
    assert_eq!(
        seen[3].to_string(),
        "installing, power off, Create_Install: web-1 50% after 30 s"
    );
}

#[test]
fn a_wait_times_out_with_the_last_state_seen() {
    let (_fake, _clock, conn) = manual();
    let web = create(&conn, "web-2");
    let err = Waiter::new()
        .timeout(Duration::from_secs(25))
        .poll_interval(Duration::from_secs(10))
        .until_running(&conn, &web.uuid)
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    let text = err.to_string();
    let wait = wait_error(err);
    assert_eq!(
        (wait.goal, wait.reason),
        (Goal::Running, WaitFailure::TimedOut)
    );
    let last = wait.last_seen.unwrap();
    assert_eq!(last.state, Some(InstanceState::Installing));
    assert_eq!(
        last.percent,
        Some(41),
        "polls at 0, 10, 20 and the deadline 25 s"
    );
    assert!(
        text.contains("timed out") && text.contains("installing"),
        "{text}"
    );
    assert!(text.contains(&web.uuid), "{text}");
}

#[test]
fn an_instance_deleted_while_waiting_has_vanished() {
    let (_fake, _clock, conn) = manual();
    let web = create(&conn, "web-3");
    let err = Waiter::new()
        .on_progress(|_| conn.delete_instance(&web.uuid).unwrap())
        .until_running(&conn, &web.uuid)
        .unwrap_err();
    let wait = wait_error(err);
    assert_eq!(wait.reason, WaitFailure::Vanished);
    assert!(wait.last_seen.is_some());
}

#[test]
fn a_failed_operation_ends_the_wait_with_its_code() {
    let (fake, _clock, conn) = manual();
    fake.faults().fail_next_operations(1);
    let web = create(&conn, "web-4");
    let err = conn.wait_until_running(&web.uuid).unwrap_err();
    assert!(
        err.to_string()
            .contains("Create_Install: web-4 failed with code 1"),
        "{err}"
    );
    match wait_error(err).reason {
        WaitFailure::OperationFailed {
            end_code, end_desc, ..
        } => {
            assert_eq!(end_code, 1);
            assert!(end_desc.contains("failed"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn history_does_not_fail_a_wait() {
    let (fake, clock, conn) = manual();
    fake.faults().fail_next_operations(1);
    conn.stop_instance(NODE_1).unwrap();
    clock.advance(Duration::from_secs(60));
    // The failed stop ended before this wait began: it is history.
    conn.stop_instance(NODE_1).unwrap();
    let stopped = conn.wait_until_stopped(NODE_1).unwrap();
    assert_eq!(stopped.state, Some(InstanceState::Stopped));
}

#[test]
fn create_returns_what_a_wait_needs() {
    let (_fake, _clock, conn) = manual();
    let web = create(&conn, "web-5").wait_until_running(&conn).unwrap();
    assert!(web.is_running());
    assert!(
        conn.wait_until_idle(&web.uuid)
            .unwrap()
            .actions_pending_count
            == 0
    );
    web.delete(&conn).unwrap();
    conn.wait_until_gone(&web.uuid).unwrap();
    let err = conn.wait_until_running(&web.uuid).unwrap_err();
    assert_eq!(wait_error(err).reason, WaitFailure::Vanished);
}

#[test]
fn restart_stops_waits_and_starts() {
    let (fake, _clock, conn) = manual();
    let node1 = conn.get_instance(NODE_1, Details::none()).unwrap();
    fake.clear_requests();
    let after = node1.restart(&conn, true).unwrap();
    assert!(after.is_running());
    let posts: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.target.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(posts, ["stop", "start"]);
    let ops = conn
        .get_instance(NODE_1, Details::all())
        .unwrap()
        .actions
        .unwrap();
    assert!(ops[0].description.starts_with("Start") && ops[1].description.starts_with("Stop"));

    let not_waited = conn.restart_instance(NODE_1, false).unwrap();
    assert_eq!(
        not_waited.actions_pending_count, 1,
        "start queued, not waited for"
    );
}

#[test]
fn find_by_hostname_or_prefix_like_the_cli() {
    let (_fake, _clock, conn) = manual();
    assert_eq!(conn.find_instance("NODE-1").unwrap().uuid, NODE_1);
    assert_eq!(conn.find_instance("db").unwrap().hostname, "db-1");
    assert_eq!(conn.find_instance("3C4D5E6F").unwrap().hostname, "db-1");
    assert_eq!(conn.find_instance(NODE_1).unwrap().hostname, "node-1");

    let err = conn.find_instance("node").unwrap_err();
    let text = err.to_string();
    let Error::Ambiguous(ambiguous) = err else {
        panic!("{text}")
    };
    let hostnames: Vec<&str> = ambiguous
        .candidates
        .iter()
        .map(|(h, _)| h.as_str())
        .collect();
    assert_eq!(hostnames, ["node-1", "node-2", "node-3"]);
    assert!(
        text.contains("node-1 (71717dfb-3e86-487f-bcf0-01f6856d6bcd)"),
        "{text}"
    );

    let err = conn.find_instance("web").unwrap_err();
    assert!(matches!(err, Error::NoMatch { .. }), "{err:?}");
    assert_eq!(err.to_string(), "no instance matches \"web\"");
    assert!(conn.find_instance(" ").unwrap_err().is_invalid_input());

    // An exact hostname wins over prefixes of others.
    let node = create(&conn, "node");
    assert_eq!(conn.find_instance("node").unwrap().uuid, node.uuid);
}
