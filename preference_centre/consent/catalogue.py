"""The purpose catalogue of CONTRACT.md: what each purpose is, its legal basis and channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONSENT = "consent"
LEGITIMATE_INTERESTS = "legitimate_interests"
CONTRACT = "contract"

# Channels in the order the preference matrix shows them.
CHANNELS = {
    "email": "Email",
    "sms": "Text message",
    "phone": "Phone",
    "post": "Post",
    "ads": "Online ads",
}
TOPICS = {
    "offers": "Offers",
    "updates": "Website and app updates",
    "policy": "Deadlines and policy changes",
}
MARKETING_CHANNELS = ("email", "sms", "phone", "post")


@dataclass(frozen=True)
class Purpose:
    key: str
    title: str
    description: str
    basis: str
    channel: str | None = None
    topic: str | None = None

    @property
    def default_allowed(self) -> bool:
        """Consent starts refused; legitimate interests run until objected to; contract runs."""
        return self.basis != CONSENT

    @property
    def is_marketing(self) -> bool:
        return self.channel in MARKETING_CHANNELS and self.topic is not None

    @property
    def optional(self) -> bool:
        return self.basis != CONTRACT


_BASE_PURPOSES = [
    Purpose("email:offers", "Offers by email",
            "Other products and services you might like, by email.", CONSENT, "email", "offers"),
    Purpose("email:updates", "Website and app updates by email",
            "News about updates to our website or app, by email.", CONSENT, "email", "updates"),
    Purpose("email:policy", "Deadlines and policy changes by email",
            "Deadlines and changes to policy and guidance, by email.", CONSENT, "email",
            "policy"),
    Purpose("sms:offers", "Offers by text message",
            "Other products and services you might like, by text message.", CONSENT, "sms",
            "offers"),
    Purpose("sms:updates", "Website and app updates by text message",
            "News about updates to our website or app, by text message.", CONSENT, "sms",
            "updates"),
    Purpose("sms:policy", "Deadlines and policy changes by text message",
            "Deadlines and changes to policy and guidance, by text message.", CONSENT, "sms",
            "policy"),
    Purpose("post:offers", "Offers by post",
            "We may post you details of products and services, unless you object.",
            LEGITIMATE_INTERESTS, "post", "offers"),
    Purpose("phone:offers", "Offers by phone",
            "We may call you about products and services, unless you object.",
            LEGITIMATE_INTERESTS, "phone", "offers"),
    Purpose("ads:personalised", "Personalised online advertising",
            "More relevant online banner advertising, built from your data.", CONSENT, "ads",
            "personalised"),
    Purpose("profiling", "Working out what interests you",
            "Using what you buy and how you use our services to work out which products and "
            "services interest you.", CONSENT),
    Purpose("security_monitoring", "Protecting our network",
            "Keeping records of sign-ins to protect our network and your account against "
            "cyber-attacks.", LEGITIMATE_INTERESTS),
    Purpose("service_messages", "Messages about your orders",
            "Order confirmations and news of changes or delays to your orders. We must send "
            "these to provide the service you ordered.", CONTRACT, "email"),
    Purpose("cookies:analytics", "Analytics cookies",
            "Our own cookies that count visits so we can improve the site.", CONSENT),
    Purpose("cookies:marketing", "Marketing cookies and tags",
            "Cookies and tags that measure our advertising.", CONSENT),
]


def sharing_purposes(partners: list[dict[str, Any]]) -> list[Purpose]:
    """One consent purpose per partner configured in SHARING_PARTNERS."""
    found = []
    for partner in partners:
        key = str(partner["key"])
        found.append(Purpose(
            f"sharing:{key}", f"Sharing with {partner['name']}",
            f"{partner['name']} would receive: {partner.get('receives', 'your contact details')}.",
            CONSENT,
        ))
    return found


def all_purposes(partners: list[dict[str, Any]] | None = None) -> dict[str, Purpose]:
    """Every purpose by key, partners included."""
    purposes = _BASE_PURPOSES + sharing_purposes(partners or [])
    return {purpose.key: purpose for purpose in purposes}


def purposes_from_config(config: Any) -> dict[str, Purpose]:
    return all_purposes(config.get("SHARING_PARTNERS") or [])


def marketing_purposes(purposes: dict[str, Purpose], channel: str | None = None) -> list[str]:
    """Keys of direct-marketing purposes, on one channel or all."""
    return [key for key, p in purposes.items()
            if p.is_marketing and (channel is None or p.channel == channel)]


# A Global Privacy Control signal is an objection to selling, sharing and ad targeting.
_GPC_KEYS = ("ads:personalised", "profiling", "cookies:marketing")


def gpc_purposes(purposes: dict[str, Purpose]) -> list[str]:
    """Keys a browser's ``Sec-GPC: 1`` signal refuses: targeting, profiling, every partner."""
    return [key for key in purposes if key in _GPC_KEYS or key.startswith("sharing:")]


def stop_all_purposes(purposes: dict[str, Purpose]) -> list[str]:
    """What "Stop all marketing" ends: every marketing message (consent withdrawn, legitimate
    interests objected to), personalised ads and the profiling that feeds marketing."""
    return marketing_purposes(purposes) + [
        key for key in ("ads:personalised", "profiling") if key in purposes
    ]


def on_request_purposes(purposes: dict[str, Purpose]) -> list[str]:
    """What staff may record for a person who asked them (by phone, letter, email or in
    person): the marketing choices (consent and objections), personalised ads, profiling
    and each sharing partner. Not cookies: they are the browser's own choice, which a
    colleague cannot set; not contract purposes, which are not choices."""
    return stop_all_purposes(purposes) + [key for key in purposes if key.startswith("sharing:")]
