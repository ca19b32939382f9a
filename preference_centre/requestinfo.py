"""Minimised request context for records: truncated IP and a coarse device family."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


def truncate_ip(address: str | None) -> str | None:
    """IPv4 to its /24, IPv6 to its /48: enough for abuse checks, not to single a person out."""
    return network_of(address, 24, 48) if address else None


# Pure, and its inputs repeat (a mailbox provider posts one-clicks from a handful of
# addresses): building an ip_network costs more than the rest of a ledger write's Python.
@lru_cache(maxsize=4096)
def network_of(address: str, ipv4_bits: int, ipv6_bits: int) -> str | None:
    """The network of ``ipv4_bits`` or ``ipv6_bits`` around ``address``, or None when it is
    not an IP address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = ipv4_bits if ip.version == 4 else ipv6_bits
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def device_family(user_agent: str | None) -> str | None:
    """A browser and platform family such as ``Firefox on Windows``; never the full string."""
    if not user_agent:
        return None
    return _family(user_agent[:512])  # the tokens come early; keeps the cache small


@lru_cache(maxsize=4096)
def _family(user_agent: str) -> str:
    ua = user_agent.lower()
    browser = "Other browser"
    for token, label in (
        ("edg/", "Edge"), ("opr/", "Opera"), ("firefox/", "Firefox"), ("chrome/", "Chrome"),
        ("chromium/", "Chromium"), ("safari/", "Safari"), ("curl/", "curl"),
        ("python", "Script"),
    ):
        if token in ua:
            browser = label
            break
    platform = "other"
    for token, label in (
        ("android", "Android"), ("iphone", "iOS"), ("ipad", "iOS"), ("windows", "Windows"),
        ("mac os", "macOS"), ("linux", "Linux"),
    ):
        if token in ua:
            platform = label
            break
    return f"{browser} on {platform}"
