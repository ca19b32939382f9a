"""The marketing team's downloads: the suppression list per channel, the post and phone
contact lists, and the hashed audience for personalised ads. Each is streamed a batch at a
time (a list of many thousands never sits in memory) with an "as at" time in its name.

Every download is audited twice, both entries committed: when it starts (so even a download
broken off half way is on record) and when its last row has gone, with the number of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Response, abort, render_template, request, stream_with_context

from ..console import exports
from ..extensions import db
from . import bp
from .access import current_staff, staff_required
from .audit import record_audit
from .downloads import attachment_name, csv_lines

Rows = Callable[[], Iterator[list[str]]]


@dataclass(frozen=True)
class Download:
    name: str  # in the address, the file name and the audit log
    title: str
    what: str
    rows: Rows


def _suppression(channel: str) -> Rows:
    return lambda: exports.suppression_rows(channel)


DOWNLOADS = {d.name: d for d in (
    Download("suppression-email", "Suppression list: email",
             "Everyone who must get no marketing email: their address, its keyed hash, the "
             "reason and since when; then the hashes of erased addresses.",
             _suppression("email")),
    Download("suppression-sms", "Suppression list: text messages",
             "Numbers that must get no marketing texts, with numbers that replied STOP.",
             _suppression("sms")),
    Download("suppression-phone", "Suppression list: phone calls",
             "Numbers that must get no marketing calls.", _suppression("phone")),
    Download("suppression-post", "Suppression list: post",
             "Postal addresses that must get no marketing post.", _suppression("post")),
    Download("post-contacts", "Post contact list",
             "People who may be sent offers by post now: name, address lines and postcode "
             "only. Objectors and anyone restricted or unconfirmed are left out.",
             exports.post_contact_rows),
    Download("phone-contacts", "Phone contact list",
             "People who may be called with offers now: name and phone number only.",
             exports.phone_contact_rows),
    Download("ads-audience", "Personalised ads audience",
             "SHA-256 hashes of the addresses of people who agreed to personalised ads, for "
             "a customer-match upload. No address leaves in clear.",
             exports.ads_audience_rows),
)}


@bp.route("/exports", endpoint="exports")
@staff_required("marketing")
def exports_page() -> str:
    return render_template("staff/exports.html", downloads=DOWNLOADS.values())


def _counted(rows: Iterator[list[str]], download: Download, actor_id: int,
             ip: str | None) -> Iterator[list[str]]:
    """The rows as they go; after the last one, the finishing audit entry."""
    count = -1  # the header is not a row of the list
    for row in rows:
        count += 1
        yield row
    count = max(count, 0)
    record_audit(actor_id, "export.completed", "export", download.name,
                 detail=f"{count} row{'' if count == 1 else 's'}", ip=ip)
    db.session.commit()


@bp.route("/exports/<list_name>.csv")
@staff_required("marketing")
def export_download(list_name: str) -> Response:
    download = DOWNLOADS.get(list_name)
    if download is None:
        abort(404)
    actor_id, ip = current_staff().id, request.remote_addr
    record_audit(actor_id, "export.started", "export", download.name, ip=ip)
    db.session.commit()
    lines = csv_lines(_counted(download.rows(), download, actor_id, ip))
    return Response(
        stream_with_context(lines), mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="{attachment_name(download.name, "csv")}"'})
