"""Drives a running fake Tiktalik with the official Python SDK (tiktalik==2.0.0).

Usage: python conformance.py URL KEY SECRET
The fake must run at a speed where an install takes a second or two (--speed 60).
Prints one line per check and a closing 'N passed, N failed' (see harness.py).
"""

import time

from harness import Harness
from tiktalik import TiktalikAPIError, TiktalikAuthConnection

harness = Harness(TiktalikAuthConnection)
check = harness.check
conn = harness.connect()


def wait_until(uuid, done, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        instance = conn.get_instance(uuid, actions=True)
        if done(instance):
            return instance
        time.sleep(0.1)
    raise AssertionError("instance %s did not get there in %ss" % (uuid, timeout))


@check
def tutorial_list_instances_with_cost():
    instances = conn.list_instances(cost=True)
    assert {"node-1", "node-2", "node-3"} <= {i.hostname for i in instances}
    for i in instances:
        assert len(i.interfaces) >= 1, i
    total = sum(i.gross_cost_per_hour for i in instances)
    assert total > 0, total


@check
def tutorial_list_backups():
    images = conn.list_images()
    backups = [i for i in images if i.type == "backup"]
    assert backups, images
    for b in backups:
        assert b.uuid and b.create_time


@check
def tutorial_stop_cluster():
    instances = conn.list_instances()
    nodes = [i for i in instances if i.hostname.startswith("node-")]
    assert len(nodes) == 3, nodes
    for node in nodes:
        node.stop()
    for node in nodes:
        stopped = wait_until(node.uuid, lambda i: i.state == 11 and not i.running)
        assert stopped.actions_pending_count == 0


@check
def tutorial_create_instance():
    image_uuid = "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934"
    networks = conn.list_networks()
    network_uuids = [n.uuid for n in networks]
    created = conn.create_instance("web-123", 4, image_uuid, network_uuids)
    assert created["hostname"] == "web-123", created
    assert created["state"] == 10, created
    running = wait_until(created["uuid"], lambda i: i.state == 12 and i.running)
    assert len(running.interfaces) == len(network_uuids)


@check
def round_trip_create_inspect_network_delete():
    created = conn.create_instance(
        "py-1", "1s", "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934", ["auto"],
        ssh_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA test@ci", disk_size_gb=20,
    )
    uuid = created["uuid"]
    listed = [i.uuid for i in conn.list_instances(actions=True, vpsimage=True, cost=True)]
    assert uuid in listed
    full = conn.get_instance(uuid, actions=True, vpsimage=True, cost=True)
    assert full.hostname == "py-1" and full.vpsimage.name.startswith("Debian")
    assert full.actions and full.gross_cost_per_hour > 0
    disks = conn.get_instance_block_devices(uuid)
    assert [(d.seq, d.size_gb) for d in disks] == [(0, 20)], disks
    net = conn.create_network("pyqa")
    assert net.name == "pyqa" and not net.public
    conn.add_network_interface(uuid, net.uuid, 1)
    interfaces = conn.list_instance_interfaces(uuid)
    eth1 = [i for i in interfaces if i.seq == 1]
    assert eth1 and eth1[0].network.uuid == net.uuid, interfaces
    conn.remove_network_interface(uuid, eth1[0].uuid)
    assert all(i.seq != 1 for i in conn.list_instance_interfaces(uuid))
    conn.delete_instance(uuid)
    try:
        conn.get_instance(uuid)
    except TiktalikAPIError as e:
        assert e.http_status == 404, e
    else:
        raise AssertionError("deleted instance still answers")


@check
def images_rename_and_get():
    backup = [i for i in conn.list_images() if i.type == "backup"][0]
    conn.rename_image(backup.uuid, "Zażółć gęślą jaźń & co = 100%")
    assert conn.get_image(backup.uuid).name == "Zażółć gęślą jaźń & co = 100%"


@check
def wrong_secret_is_401():
    wrong = harness.wrong_secret()
    try:
        wrong.list_instances()
    except TiktalikAPIError as e:
        assert e.http_status == 401, e
        assert e.description is None, "401 is an HTML page"
    else:
        raise AssertionError("a wrong secret was accepted")


@check
def unknown_instance_is_404():
    try:
        conn.get_instance("00000000-0000-4000-8000-000000000000")
    except TiktalikAPIError as e:
        assert e.http_status == 404, e
        assert e.description == "Instance not found", e.description
    else:
        raise AssertionError("an unknown instance was found")


@check
def bad_parameters_are_400():
    try:
        conn.create_instance("bad-1", "2s", "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934", ["auto"])
    except TiktalikAPIError as e:
        assert e.http_status == 400 and "disk_size_gb" in e.description, e.description
    else:
        raise AssertionError("a standard size without a disk was accepted")


harness.run("python-sdk")
