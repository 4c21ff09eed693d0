"""Where a webhook may be sent: http or https to a public address. Loopback,
link-local, private and other special ranges are refused (a webhook must not reach
into the office's own network or the server itself) unless an admin allowed that
endpoint's host explicitly. Checked when the endpoint is registered and again before
each delivery, as a name may come to resolve elsewhere."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask_babel import gettext as _


class UnsafeAddress(ValueError):
    """The URL may not be sent to; the message is for the admin."""


def _special(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url(url: str, allow_private: bool) -> str:
    """The URL if it may be sent to; raises UnsafeAddress saying why not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress(_("Địa chỉ phải bắt đầu bằng http:// hoặc https:// và có tên máy."))
    if parts.username or parts.password:
        raise UnsafeAddress(_("Địa chỉ không được chứa tên đăng nhập hay mật khẩu."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeAddress(_("Cổng trong địa chỉ không hợp lệ.")) from None
    refused = UnsafeAddress(
        _(
            "%(host)s ở mạng nội bộ, loopback hoặc link-local: chỉ gửi tới đó khi quản"
            " trị cho phép riêng máy chủ này.",
            host=parts.hostname,
        )
    )
    # "localhost" and its subdomains are the server itself (RFC 6761), whatever this
    # machine's resolver says of them, or when it knows no such name.
    name = parts.hostname.rstrip(".").lower()
    if not allow_private and (name == "localhost" or name.endswith(".localhost")):
        raise refused
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeAddress(_("Không tìm thấy máy chủ %(host)s.", host=parts.hostname)) from None
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found}
    if not allow_private and any(_special(address) for address in addresses):
        raise refused
    return url.strip()
