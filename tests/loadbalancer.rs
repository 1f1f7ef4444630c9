//! The load-balancer API against the fake: every call, its state, and the same
//! validation on both sides.

mod common;

use tiktalik::fake::FakeTiktalik;
use tiktalik::loadbalancer::{
    Backend, BackendChange, BalancerStatus, BalancerType, CheckType, NewLoadBalancer,
};
use tiktalik::{Connection, Error};

fn fake() -> (FakeTiktalik, Connection) {
    let (fake, _clock, conn) = common::manual_fake();
    (fake, conn)
}

fn backend(text: &str) -> Backend {
    text.parse().unwrap()
}

#[test]
fn create_change_list_and_delete() {
    let (_fake, conn) = fake();
    let seeded = conn.list_loadbalancers(false).unwrap();
    assert_eq!(seeded.len(), 1);
    assert!(seeded[0].history.is_none());

    let web = conn
        .create_loadbalancer(
            &NewLoadBalancer::new("shop", BalancerType::Http)
                .backend(backend("10.12.0.5:80:10"))
                .backend(backend("10.12.0.6:80:10"))
                .domain("shop.example.com"),
        )
        .unwrap();
    assert_eq!(web.balancer_type, Some(BalancerType::Http));
    assert_eq!(web.status, Some(BalancerStatus::Enabled));
    assert_eq!((web.port, web.backends.len()), (Some(80), 2));
    assert_eq!(
        web.monitor.as_ref().unwrap().check_type,
        Some(CheckType::Http)
    );
    assert!(web.address.ends_with(".tiktalik.com"), "{}", web.address);

    conn.add_loadbalancer_backend(&web.uuid, backend("10.12.0.7:80:5"))
        .unwrap();
    let added = web.refresh(&conn).unwrap();
    let third = added.backend_at("10.12.0.7", 80).unwrap().clone();
    assert_eq!(third.weight, 5);
    conn.modify_loadbalancer_backend(&web.uuid, &third.uuid, BackendChange::new().weight(0))
        .unwrap();
    assert_eq!(
        web.refresh(&conn)
            .unwrap()
            .backend_at("10.12.0.7", 80)
            .unwrap()
            .weight,
        0
    );
    conn.modify_loadbalancer_backend(&web.uuid, &third.uuid, BackendChange::new().port(8080))
        .unwrap();
    assert!(
        web.refresh(&conn)
            .unwrap()
            .backend_at("10.12.0.7", 8080)
            .is_some()
    );
    conn.remove_loadbalancer_backend(&web.uuid, &third.uuid)
        .unwrap();

    conn.add_loadbalancer_domain(&web.uuid, "www.shop.example.com")
        .unwrap();
    conn.remove_loadbalancer_domain(&web.uuid, "shop.example.com")
        .unwrap();
    assert_eq!(
        web.refresh(&conn).unwrap().domains,
        ["www.shop.example.com"]
    );
    conn.set_loadbalancer_domains(&web.uuid, &["a.example.com", "b.example.com"])
        .unwrap();
    conn.set_loadbalancer_backends(&web.uuid, &[backend("10.12.0.9:8080:1")])
        .unwrap();
    conn.rename_loadbalancer(&web.uuid, "shop-prod").unwrap();
    web.disable(&conn).unwrap();
    let now = web.refresh(&conn).unwrap();
    assert_eq!(now.name, "shop-prod");
    assert_eq!(now.status, Some(BalancerStatus::Disabled));
    assert_eq!(now.domains, ["a.example.com", "b.example.com"]);
    assert_eq!(now.backends.len(), 1);
    web.enable(&conn).unwrap();

    let listed = conn.list_loadbalancers(true).unwrap();
    let history = listed
        .iter()
        .find(|b| b.uuid == web.uuid)
        .unwrap()
        .history
        .clone()
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "add_backend",
            "modify_backend",
            "modify_backend",
            "remove_backend",
            "add_domain",
            "remove_domain",
            "set_domains",
            "set_backends",
            "rename",
            "disable",
            "enable"
        ]
    );
    assert_eq!(history[1].arguments, "10.12.0.7:80:5");

    web.delete(&conn).unwrap();
    assert!(conn.get_loadbalancer(&web.uuid).unwrap_err().is_not_found());
    assert_eq!(conn.list_loadbalancers(false).unwrap().len(), 1);
}

#[test]
fn tcp_balancers_take_a_port_and_refuse_domains() {
    let (_fake, conn) = fake();
    let db = conn
        .create_loadbalancer(
            &NewLoadBalancer::new("db", BalancerType::Tcp)
                .backend(backend("10.12.0.9:5432:1"))
                .address("37.233.98.200")
                .port(5432),
        )
        .unwrap();
    assert_eq!(
        (db.port, db.address.as_str()),
        (Some(5432), "37.233.98.200")
    );
    assert_eq!(db.monitor.unwrap().check_type, Some(CheckType::Tcp));
    let err = conn
        .add_loadbalancer_domain(&db.uuid, "db.example.com")
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(
        err.description().unwrap().contains("HTTP and HTTPS"),
        "{err}"
    );
}

#[test]
fn the_client_refuses_bad_input_before_sending() {
    let (fake, conn) = fake();
    fake.clear_requests();
    let web = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8";
    let failures: Vec<Error> = vec![
        Backend::new("10.0.0.1", 0, 1).unwrap_err(),
        Backend::new("10.0.0.300", 80, 1).unwrap_err(),
        "10.0.0.1:80".parse::<Backend>().unwrap_err(),
        conn.create_loadbalancer(&NewLoadBalancer::new("x", BalancerType::Http))
            .unwrap_err(),
        conn.set_loadbalancer_backends(web, &[]).unwrap_err(),
        conn.modify_loadbalancer_backend(
            web,
            "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9",
            BackendChange::new(),
        )
        .unwrap_err(),
        conn.modify_loadbalancer_backend(
            web,
            "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9",
            BackendChange::new().port(0),
        )
        .unwrap_err(),
        conn.add_loadbalancer_domain(web, "bad domain").unwrap_err(),
        conn.remove_loadbalancer_domain(web, "../x").unwrap_err(),
        conn.rename_loadbalancer(web, "").unwrap_err(),
        conn.get_loadbalancer("web").unwrap_err(),
    ];
    for err in failures {
        assert!(err.is_invalid_input(), "{err}");
    }
    assert!(fake.requests().is_empty(), "nothing may be sent");
}

#[test]
fn the_fake_applies_the_same_rules_to_raw_requests() {
    // The official 1.x client checks nothing; the fake answers as the service would.
    let (fake, _conn) = fake();
    let send = |method: &str, path: &str, body: &str| {
        common::raw_request(
            &fake,
            method,
            &format!("/api/v1/loadbalancer{path}"),
            body,
            None,
        )
    };
    for (body, why) in [
        ("name=x&type=HTTP", "at least one backend"),
        (
            "name=x&type=UDP&backends%5B%5D=10.0.0.1%3A80%3A1",
            "not one of TCP, HTTP, HTTPS",
        ),
        (
            "name=x&type=HTTP&backends%5B%5D=10.0.0.1%3A0%3A1",
            "0 is not a port",
        ),
        (
            "name=x&type=HTTP&backends%5B%5D=example.com%3A80%3A1",
            "IPv4",
        ),
        (
            "name=x&type=TCP&backends%5B%5D=10.0.0.1%3A80%3A1&domains%5B%5D=a.com",
            "HTTP and HTTPS",
        ),
        (
            "name=x&type=HTTP&backends%5B%5D=10.0.0.1%3A80%3A1&port=8080",
            "TCP balancers only",
        ),
    ] {
        let (status, text) = send("POST", "", body);
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(why), "{body}: {text}");
    }
    let (status, _) = send(
        "PUT",
        "/00000000-0000-4000-8000-000000000000/name",
        "name=y",
    );
    assert_eq!(status, 404);
}
