"""Services behind the staff console (``/staff``): plain functions with explicit arguments,
no request and no commit, for the console's views to call.

- ``dashboard``: ``dashboard_figures(today=None)`` from the counts the database keeps
  (``aggregate``: triggers on both engines); ``chart.weekly_chart_svg(series)``.
- ``lookup``: ``look_up_person(email)`` -> ``PersonRecord`` (``for_role(role)``) or None;
  ``person_record(person)`` for one already found.
- ``on_request``: ``record_on_request(person_id, staff, asked)``, a choice the person asked
  a colleague to make, through the consent rules, audited.
- ``exports``: CSV row generators for streaming downloads.
- ``campaigns``: compose once, preview, count recipients and exclusions, send once, progress.
"""
