//! Safe retries and clock skew: GETs are retried through injected faults, each
//! attempt signed afresh; POSTs never are; a 401 from skewed clocks says so.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use common::{RecordingServer, Reply};
use tiktalik::clock::{Clock, ManualClock};
use tiktalik::fake::{DEBIAN_IMAGE, FakeTiktalik};
use tiktalik::{Connection, Details, Error, NewInstance, RetryPolicy, Size};

use common::manual_fake as manual;

fn statuses(fake: &FakeTiktalik) -> Vec<(String, u16)> {
    fake.requests()
        .into_iter()
        .map(|r| (r.method, r.status))
        .collect()
}

#[test]
fn a_get_is_retried_through_5xx_and_429_to_success() {
    let (fake, _clock, conn) = manual();
    fake.faults().fail_next(2, 503);
    fake.faults().throttle_next(1, Duration::from_secs(3));
    let networks = conn.list_networks().unwrap();
    assert!(!networks.is_empty());
    let get = |status| ("GET".to_owned(), status);
    assert_eq!(statuses(&fake), [get(503), get(503), get(429), get(200)]);
}

#[test]
fn retry_after_is_waited_exactly() {
    let (fake, clock, conn) = manual();
    fake.faults().throttle_next(1, Duration::from_secs(7));
    let before = clock.now();
    conn.list_images().unwrap();
    assert_eq!(
        clock.now().duration_since(before).unwrap(),
        Duration::from_secs(7)
    );

    // A Retry-After beyond the cap ends the retries at once, and the error keeps it.
    let capped = fake
        .connection_builder()
        .retry(RetryPolicy::default().max_retry_after(Duration::from_secs(5)))
        .build()
        .unwrap();
    fake.faults().throttle_next(1, Duration::from_secs(120));
    let err = capped.list_images().unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[test]
fn backoff_grows_between_attempts_and_the_error_counts_them() {
    let (fake, clock, conn) = manual();
    fake.faults().fail_next(10, 500);
    let before = clock.now();
    let err = conn.list_networks().unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(500), 4));
    assert!(err.to_string().ends_with("(after 4 attempts)"), "{err}");
    // Waits of 0.25-0.5 s, 0.5-1 s and 1-2 s with the default policy.
    let waited = clock.now().duration_since(before).unwrap();
    assert!(
        waited >= Duration::from_millis(1750) && waited <= Duration::from_millis(3500),
        "{waited:?}"
    );
    assert_eq!(fake.requests().len(), 4);
}

#[test]
fn posts_puts_and_deletes_are_never_retried() {
    let (fake, _clock, conn) = manual();
    fake.faults().fail_next(3, 503);
    let spec = NewInstance::new("once-1", Size::HALF, DEBIAN_IMAGE).networks(["auto"]);
    let err = conn.create_instance_with(&spec).unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(503), 1));
    fake.faults().clear();
    fake.faults().fail_next(1, 502);
    assert_eq!(
        conn.delete_instance("71717dfb-3e86-487f-bcf0-01f6856d6bcd")
            .unwrap_err()
            .status(),
        Some(502)
    );
    let methods: Vec<_> = fake.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["POST", "DELETE"]);

    // A lost answer: reported as such, the create happened once, nothing re-sent.
    fake.clear_requests();
    fake.faults().drop_next(1);
    let err = conn.create_instance_with(&spec).unwrap_err();
    assert!(err.may_have_succeeded(), "{err:?}");
    assert!(err.to_string().contains("may have taken effect"), "{err}");
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
    let created = conn
        .list_instances(Details::none())
        .unwrap()
        .into_iter()
        .filter(|i| i.hostname == "once-1")
        .count();
    assert_eq!(created, 1);
}

#[test]
fn transport_errors_and_timeouts_are_retried_for_gets() {
    let (fake, clock, _) = manual();
    let port = fake.port();
    drop(fake);
    let refused = Connection::builder("KEY", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=")
        .origin(format!("http://127.0.0.1:{port}"))
        .no_proxy()
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = refused.list_networks().unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 4, .. }),
        "{err:?}"
    );
    // Nothing was sent, so a refused POST is a plain transport error, not a lost answer.
    let err = refused.create_network("abc").unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(!err.may_have_succeeded());

    let (fake, _clock, _) = manual();
    fake.faults().set_latency(Duration::from_millis(300));
    let impatient = fake
        .connection_builder()
        .timeout(Duration::from_millis(60))
        .retry(RetryPolicy::default().max_attempts(2))
        .build()
        .unwrap();
    let err = impatient.list_networks().unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
    fake.faults().clear();
}

#[test]
fn retries_can_be_turned_off() {
    let (fake, _clock, _) = manual();
    let once = fake.connection_builder().no_retries().build().unwrap();
    fake.faults().fail_next(1, 503);
    assert_eq!(once.list_networks().unwrap_err().attempts(), 1);
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn every_attempt_is_signed_with_a_fresh_date() {
    let calls = AtomicU32::new(0);
    let server = RecordingServer::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::json(503, r#"{"description": "busy"}"#)
        } else {
            Reply::json(200, "[]")
        }
    });
    let clock = ManualClock::new(SystemTime::now());
    // Dates have whole seconds: waits of at least 1 s make each one differ.
    let conn = server
        .connection()
        .clock(clock)
        .retry(RetryPolicy::default().initial_delay(Duration::from_secs(2)))
        .build()
        .unwrap();
    conn.list_networks().unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| r.signature_ok), "each attempt verifies");
    let dates: Vec<_> = seen
        .iter()
        .map(|r| httpdate::parse_http_date(r.header("Date").unwrap()).unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
    let auths: std::collections::HashSet<_> =
        seen.iter().map(|r| r.header("Authorization")).collect();
    assert_eq!(auths.len(), 3, "a new signature per attempt");
}

#[test]
fn a_401_from_skewed_clocks_says_so() {
    let fake = FakeTiktalik::start().unwrap();
    let behind = ManualClock::new(SystemTime::now() - Duration::from_secs(20 * 60));
    let conn = fake.connection_builder().clock(behind).build().unwrap();
    let err = conn.list_instances(Details::none()).unwrap_err();
    assert!(err.is_unauthorized());
    let text = err.to_string();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    let skew = api.clock_skew().unwrap();
    assert!(
        skew >= Duration::from_secs(1199) && skew <= Duration::from_secs(1260),
        "{skew:?}"
    );
    assert!(text.contains("the clocks disagree by 1"), "{text}");
    assert!(
        text.contains(&httpdate::fmt_http_date(api.request_date.unwrap())),
        "{text}"
    );
    assert!(
        text.contains(&httpdate::fmt_http_date(api.server_date.unwrap())),
        "{text}"
    );

    // A wrong secret with a good clock: no talk of clocks.
    let wrong = Connection::builder(fake.api_key(), "d3Jvbmc=")
        .origin(fake.url())
        .no_proxy()
        .build()
        .unwrap();
    let err = wrong.list_instances(Details::none()).unwrap_err();
    assert!(err.is_unauthorized());
    assert!(!err.to_string().contains("clocks"), "{err}");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.clock_skew(), None);
}
