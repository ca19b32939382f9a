"""Every page of the console, one module per page; the factory imports ``bp`` from here so
that they are all registered. Each view declares who may open it (``access``)."""

from . import (  # noqa: F401 - imported for their routes
    audit_views,
    bp,
    campaign_views,
    dashboard_views,
    export_views,
    login_views,
    navigation,
    on_request_views,
    people_views,
    team_views,
    undelivered_views,
)
