"""Drives a running fake Tiktalik's load-balancer API with the official Python SDK
1.x (tiktalik==1.6.3.1, the last release with it).

Usage: python loadbalancer.py URL KEY SECRET
Prints one line per check and a closing 'N passed, N failed' (see harness.py).
"""

from harness import Harness
from tiktalik.error import TiktalikAPIError
from tiktalik.loadbalancer import LoadBalancerConnection

harness = Harness(LoadBalancerConnection)
check = harness.check
conn = harness.connect()


def expect_error(status, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except TiktalikAPIError as e:
        assert e.http_status == status, (e.http_status, e.data)
        return e
    raise AssertionError("expected HTTP %d" % status)


@check
def list_with_history():
    lbs = conn.list_loadbalancers(history=True)
    assert lbs and lbs[0].name == "web", lbs
    assert lbs[0].history and lbs[0].history[0].action == "add_backend"
    assert lbs[0].monitor.check_type == "http"


@check
def http_balancer_round_trip():
    lb = conn.create_loadbalancer(
        "shop",
        "HTTP",
        backends=[("10.12.0.5", 80, 10), ("10.12.0.6", 80, 10)],
        domains=["shop.example.com"],
    )
    assert lb.type == "HTTP" and len(lb.backends) == 2, lb.__dict__
    lb.add_backend("10.12.0.7", 80, 5)
    lb = conn.get_loadbalancer(lb.uuid)
    third = [b for b in lb.backends if b.ip == "10.12.0.7"][0]
    assert third.weight == 5
    lb.modify_backend(third.uuid, weight=10)
    lb.remove_backend(third.uuid)
    lb.add_domain("www.shop.example.com")
    lb.remove_domain("shop.example.com")
    lb.set_domains(["a.example.com", "b.example.com"])
    lb.set_backends([("10.12.0.9", 8080, 1)])
    lb.rename("shop-prod")
    lb.disable()
    lb.enable()
    now = conn.get_loadbalancer(lb.uuid)
    assert now.name == "shop-prod" and now.status == "enabled", now.__dict__
    assert now.domains == ["a.example.com", "b.example.com"], now.domains
    assert [(b.ip, b.port, b.weight) for b in now.backends] == [("10.12.0.9", 8080, 1)]
    actions = [h.action for h in now.history]
    assert actions[0] == "create" and "modify_backend" in actions, actions
    lb.delete()
    expect_error(404, conn.get_loadbalancer, lb.uuid)


@check
def tcp_balancer_with_address_and_port():
    lb = conn.create_loadbalancer(
        "db", "TCP", address="37.233.98.200", port=5432, backends=[("10.12.0.9", 5432, 1)]
    )
    assert (lb.address, lb.port) == ("37.233.98.200", 5432), lb.__dict__
    e = expect_error(400, lb.add_domain, "db.example.com")
    assert "HTTP and HTTPS" in e.data["description"], e.data
    lb.delete()


@check
def bad_input_is_400():
    e = expect_error(400, conn.create_loadbalancer, "x", "HTTP", backends=[("10.0.0.1", 0, 1)])
    assert "port" in e.data["description"], e.data
    e = expect_error(400, conn.create_loadbalancer, "x", "UDP", backends=[("10.0.0.1", 80, 1)])
    assert "TCP, HTTP, HTTPS" in e.data["description"], e.data


@check
def wrong_secret_is_401():
    wrong = harness.wrong_secret()
    expect_error(401, wrong.list_loadbalancers)


harness.run("python-sdk-1.x loadbalancer")
