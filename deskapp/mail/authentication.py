"""Who sent a mail, as the desk's own mail server verified it: its Authentication-Results
header (RFC 8601).

The From header alone is not an identity. The desk's mail server (MTA) checks DMARC, DKIM and
SPF and writes an Authentication-Results header naming itself by its authserv-id (the
`[mail] authserv_id` setting). Only the topmost header with that id is read; headers claiming
any other id are ignored (anyone can write one), as RFC 8601 says. The MTA must remove headers
claiming its own id from incoming mail (README: "Incoming mail").

The sender is verified when DMARC passed; without a DMARC result, when DKIM passed for the
From domain (header.d or header.i, or a parent domain of it) or SPF passed for it
(smtp.mailfrom). A DMARC fail, or no header of the desk's server at all, is not verified.
"""

from __future__ import annotations

import re

MAX_COMMENT_DEPTH = 20
_TOKEN = re.compile(r"([A-Za-z0-9_.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)")


def sender_verified(headers: list[str], authserv_id: str, from_address: str) -> bool:
    """Whether the desk's server (authserv_id) verified the From address's domain, from the
    mail's Authentication-Results headers (topmost first)."""
    wanted = authserv_id.strip().lower()
    domain = from_address.rpartition("@")[2].strip().lower().rstrip(".")
    for value in headers:
        text = _without_comments(value)
        if text is None:
            continue
        serv_id, _, rest = text.partition(";")
        words = serv_id.split()
        if not words or words[0].lower() != wanted:
            continue
        return _verified(rest, domain)
    return False


def _verified(results: str, domain: str) -> bool:
    dmarc: str | None = None
    aligned_pass = False
    for resinfo in results.split(";"):
        pairs = [(k.lower(), v.strip('"').lower()) for k, v in _TOKEN.findall(resinfo)]
        if not pairs:
            continue
        method, result = pairs[0]
        if method == "dmarc":
            dmarc = result if dmarc in (None, "pass") else dmarc
        elif method in ("dkim", "spf") and result == "pass":
            properties = dict(pairs[1:])
            identity = (
                properties.get("header.d") or properties.get("header.i", "").rpartition("@")[2]
                if method == "dkim"
                else properties.get("smtp.mailfrom", "").rpartition("@")[2]
            )
            aligned_pass = aligned_pass or _aligned(identity, domain)
    if dmarc is not None:
        return dmarc == "pass"
    return aligned_pass


def _aligned(identity: str, domain: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other."""
    identity = identity.strip().lower().rstrip(".")
    if "." not in identity or not domain:  # "com" is no one's identity
        return False
    return identity == domain or domain.endswith("." + identity) or identity.endswith("." + domain)


def _without_comments(value: str) -> str | None:
    """The header without its (comments); None when they nest too deep to be a real one."""
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
        elif quoted:
            out.append(char)
            quoted = char != '"'
        elif char == "(":
            depth += 1
            if depth > MAX_COMMENT_DEPTH:
                return None
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
            quoted = char == '"'
    return "".join(out)
