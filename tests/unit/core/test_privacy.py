"""The privacy rules, pure: which addresses count as this machine, the LAN or the internet,
and what happens to screenshots for each (resolved addresses are injected, never looked up)."""

from __future__ import annotations

import pytest

from deskhand.core.privacy import Reach, Ruling, classify, destination, host_key, rule


@pytest.mark.parametrize(
    ("host", "addresses", "reach"),
    [
        ("localhost", ["127.0.0.1"], Reach.LOOPBACK),
        ("127.0.0.1", ["127.0.0.1"], Reach.LOOPBACK),
        ("127.3.4.5", [], Reach.LOOPBACK),  # an address literal classifies itself
        ("::1", [], Reach.LOOPBACK),
        ("localhost", ["127.0.0.1", "::1"], Reach.LOOPBACK),
        ("0.0.0.0", [], Reach.LOOPBACK),  # what servers print; Linux connects it to this machine
        ("::ffff:127.0.0.1", [], Reach.LOOPBACK),
        ("gpu-box", ["192.168.1.20"], Reach.PRIVATE),
        ("nas", ["10.1.2.3"], Reach.PRIVATE),
        ("office", ["172.20.0.5"], Reach.PRIVATE),
        ("link", ["169.254.10.1"], Reach.PRIVATE),
        ("v6-ula", ["fd12:3456:789a::1"], Reach.PRIVATE),
        ("v6-link", ["fe80::1%eth0"], Reach.PRIVATE),
        ("::ffff:192.168.0.9", [], Reach.PRIVATE),
        ("gpu.local", [], Reach.PRIVATE),  # mDNS, not resolved here
        ("gpu.local", ["192.168.1.9"], Reach.PRIVATE),
        ("api.example.com", ["93.184.216.34"], Reach.PUBLIC),
        ("172.32.0.1", [], Reach.PUBLIC),  # just outside 172.16/12
        ("cgnat", ["100.64.0.7"], Reach.PUBLIC),  # shared address space is not private
        ("does-not-resolve.invalid", [], Reach.PUBLIC),  # unknown: assume the worst
        ("weird", ["not-an-address"], Reach.PUBLIC),
    ],
)
def test_classification(host: str, addresses: list[str], reach: Reach) -> None:
    assert classify(host, addresses) is reach


def test_a_name_with_mixed_addresses_counts_as_its_least_private() -> None:
    assert classify("split", ["127.0.0.1", "192.168.1.2"]) is Reach.PRIVATE
    assert classify("split", ["192.168.1.2", "8.8.8.8"]) is Reach.PUBLIC
    assert classify("localhost", ["127.0.0.1", "203.0.113.9"]) is Reach.PUBLIC  # a hijacked hosts file


def test_host_keys_are_normalised() -> None:
    assert host_key(" GPU-Box.LAN. ") == "gpu-box.lan"
    assert host_key("[fd00::1]") == "fd00::1"
    assert destination("HTTP://GPU-Box:8000/v1", ["10.0.0.2"]).host == "gpu-box"
    assert destination("gpu-box:11434", ["10.0.0.2"]).scheme == "http"


def test_loopback_is_sent_silently_even_over_http() -> None:
    verdict = rule(destination("http://127.0.0.1:8000/v1", []), allowed_hosts=())
    assert verdict.ruling is Ruling.SEND


def test_a_lan_host_is_asked_about_once_then_remembered() -> None:
    lan = destination("http://gpu-box:8000/v1", ["192.168.1.20"])
    assert rule(lan, allowed_hosts=()).ruling is Ruling.ASK
    assert rule(lan, allowed_hosts=(), allow_remote=True).ruling is Ruling.SEND
    assert rule(lan, allowed_hosts=("GPU-BOX",)).ruling is Ruling.SEND  # remembered, any case
    assert rule(lan, allowed_hosts=("other-box",)).ruling is Ruling.ASK


def test_public_plain_http_is_refused_whatever_was_allowed() -> None:
    public = destination("http://203.0.113.5:8000/v1", ["203.0.113.5"])
    verdict = rule(public, allowed_hosts=("203.0.113.5",), allow_remote=True)
    assert verdict.ruling is Ruling.REFUSE
    assert "public internet" in verdict.reason and "not encrypted" in verdict.reason


def test_public_http_override_still_needs_the_opt_in() -> None:
    public = destination("http://203.0.113.5:8000/v1", ["203.0.113.5"])
    assert rule(public, allowed_hosts=(), allow_insecure=True).ruling is Ruling.ASK
    assert rule(public, allowed_hosts=(), allow_insecure=True, allow_remote=True).ruling is Ruling.SEND
    by_setting = rule(public, allowed_hosts=("203.0.113.5",), insecure_hosts=("203.0.113.5",))
    assert by_setting.ruling is Ruling.SEND


def test_public_https_is_asked_once_like_a_lan_host() -> None:
    public = destination("https://gpu.example.com/v1", ["198.51.100.7"])
    assert rule(public, allowed_hosts=()).ruling is Ruling.ASK
    assert rule(public, allowed_hosts=("gpu.example.com",)).ruling is Ruling.SEND


def test_private_http_is_not_refused() -> None:
    lan = destination("http://192.168.1.20:8080/v1", [])
    assert rule(lan, allowed_hosts=("192.168.1.20",)).ruling is Ruling.SEND
