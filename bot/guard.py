"""The gateway's guards against abuse: rate limits on POST /api/chat, who may call POST /api/understand.

* ``/api/chat`` (and, counted apart, ``GET /api/chat/inbox``): messages are limited per sender and per client
  address (token buckets, bot/limits.py; per
  gateway process). Over a limit the answer is 429 with ``Retry-After`` (whole seconds) and a polite line in
  the user's language (UI string ``rate_limited``, which the web chat also has from GET /api/ui).
* ``/api/understand``: only from this machine (loopback) or with ``Authorization: Bearer <WINBOT_API_TOKEN>``;
  else 403.

The client address is the TCP peer's. ``X-Forwarded-For`` is believed only when the peer is one of
``WINBOT_TRUSTED_PROXIES`` (never by default: anyone can send that header). IPv6 clients are counted per
/64 network, since one household or phone gets a whole /64 and could rotate addresses within it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.limits import ChatLimits, Clock, TokenBucketLimiter, retry_after_header
from core.content.ui import UI_STRINGS
from core.i18n import LANGUAGES, gettext, normalise_language, use_locale
from core.settings import Settings

log = logging.getLogger("winbot.guard")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Headers a reverse proxy adds: a request carrying one came through a proxy, even if the peer is loopback.
PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "forwarded")


def parse_ip(value: str | None) -> IPAddress | None:
    """An IP address ('::ffff:1.2.3.4' as IPv4, a zone id dropped), or None when ``value`` is not one."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip().split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress | None, proxies: Iterable[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_ip(request: Request, trusted_proxies: tuple[IPNetwork, ...]) -> tuple[str, IPAddress | None]:
    """The client's address as text and (when it is one) as an IP, following trusted proxies only.

    With a trusted peer, ``X-Forwarded-For`` is read from the right (the entry our proxy added) leftwards,
    past further trusted proxies, to the first address that is not one: entries left of that were written
    by the client and prove nothing.
    """
    peer = request.client.host if request.client else ""
    address = parse_ip(peer)
    if not _trusted(address, trusted_proxies):
        return peer, address
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        hop_address = parse_ip(hop)
        if hop_address is None:
            break  # garbage: stop at the last address we could trust
        address = hop_address
        if not _trusted(hop_address, trusted_proxies):
            break
    return str(address), address


def address_key(text: str, address: IPAddress | None) -> str:
    """The per-address limit's key: the IPv4 address, the /64 of an IPv6 one, else the peer as given."""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address) if address is not None else text


def _supported(code: str | None) -> str | None:
    if not code or code.replace("_", "-").split("-")[0].lower() not in LANGUAGES:
        return None
    return normalise_language(code)


def request_language(request: Request, hint: str | None) -> str:
    """The language for a refusal: the sender's language hint, else ``?lang=``, else Accept-Language, else English."""
    accepted = [part.split(";")[0] for part in request.headers.get("accept-language", "").split(",")]
    for code in (hint, request.query_params.get("lang"), *accepted):
        if language := _supported(code.strip() if code else None):
            return language
    return normalise_language(None)


def too_many(language: str, seconds: float) -> Response:
    retry_after = retry_after_header(seconds)
    with use_locale(language) as lang:
        message = gettext(UI_STRINGS["rate_limited"])
    body = {"error": "too many messages", "message": message, "language": lang, "retry_after": retry_after}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(retry_after)})


class Guard:
    """Built once per app from the settings; the handlers ask it before doing any work."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.limits = ChatLimits(
            per_sender=TokenBucketLimiter(settings.chat_limit_sender, settings.chat_burst_sender, clock=clock),
            per_address=TokenBucketLimiter(settings.chat_limit_address, settings.chat_burst_address, clock=clock),
        )
        # GET /api/chat/inbox: the same limits, counted apart, so a page that polls never eats the chat's share.
        self.inbox_limits = ChatLimits(
            per_sender=TokenBucketLimiter(settings.chat_limit_sender, settings.chat_burst_sender, clock=clock),
            per_address=TokenBucketLimiter(settings.chat_limit_address, settings.chat_burst_address, clock=clock),
        )
        self.trusted_proxies = settings.trusted_proxies
        self._token = settings.api_token.encode() if settings.api_token else None
        self._warned_untrusted_proxy = False

    def _client(self, request: Request) -> tuple[str, IPAddress | None]:
        text, address = client_ip(request, self.trusted_proxies)
        if (not self._warned_untrusted_proxy and any(name in request.headers for name in PROXY_HEADERS)
                and not _trusted(parse_ip(request.client.host if request.client else None), self.trusted_proxies)):
            self._warned_untrusted_proxy = True
            log.warning("requests come with proxy headers (X-Forwarded-*) from %s, which is not in "
                        "WINBOT_TRUSTED_PROXIES: X-Forwarded-For is ignored, so if this is your reverse proxy, all "
                        "clients behind it share one per-address rate limit; add it to WINBOT_TRUSTED_PROXIES", text)
        return text, address

    def limit_chat(self, request: Request, sender: str, language_hint: str | None) -> Response | None:
        """None when the message may go (it is counted), else the 429 to answer."""
        text, address = self._client(request)
        seconds = self.limits.hit(sender, address_key(text, address))
        if seconds == 0:
            return None
        log.info("rate limited /api/chat (retry after %.1f s)", seconds)
        return too_many(request_language(request, language_hint), seconds)

    def limit_inbox(self, request: Request, sender: str, language_hint: str | None) -> Response | None:
        """Like :meth:`limit_chat`, for GET /api/chat/inbox."""
        text, address = self._client(request)
        seconds = self.inbox_limits.hit(sender, address_key(text, address))
        if seconds == 0:
            return None
        log.info("rate limited /api/chat/inbox (retry after %.1f s)", seconds)
        return too_many(request_language(request, language_hint), seconds)

    def check_understand(self, request: Request) -> Response | None:
        """None when the caller may use /api/understand, else the 403 to answer."""
        if self._token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self._token):
                return None
        if self._is_local(request):
            return None
        log.info("refused /api/understand from %s", self._client(request)[0])
        if self._token is None:
            reason = "WINBOT_API_TOKEN is not set on this server, so only this machine may ask"
        elif request.headers.get("authorization"):
            reason = "the token given is wrong"
        else:
            reason = "no token was given"
        return JSONResponse(
            {"error": "forbidden: /api/understand answers only requests from this machine or with "
                      f"'Authorization: Bearer <WINBOT_API_TOKEN>' ({reason})"},
            status_code=403,
        )

    def _is_local(self, request: Request) -> bool:
        """From this machine: a loopback client, and not a request a local reverse proxy passed on for someone.

        A request with proxy headers counts only if it came from a trusted proxy with X-Forwarded-For and
        that chain ends on this machine; else a proxy on 127.0.0.1 would make everyone "local".
        """
        _, address = self._client(request)
        if address is None or not address.is_loopback:
            return False
        if not any(name in request.headers for name in PROXY_HEADERS):
            return True
        peer = parse_ip(request.client.host if request.client else None)
        hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
        return _trusted(peer, self.trusted_proxies) and parse_ip(hops[-1]) is not None
