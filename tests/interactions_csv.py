"""Interactions CSV shared by the data-scan tests (tests/data/): the as-of time, timestamps
either side of the 14-day window, the seven-column header, its schema, and rows."""

from __future__ import annotations

from datetime import datetime, timezone

AS_OF = datetime(2026, 11, 30, tzinfo=timezone.utc)
NOW = int(AS_OF.timestamp())
RECENT = NOW - 86_400  # one day old
OLD = NOW - 20 * 86_400
FIELDS = [
    "USER_ID",
    "ITEM_ID",
    "TIMESTAMP",
    "EVENT_TYPE",
    "EVENT_VALUE",
    "RECOMMENDATION_ID",
    "EVENT_ATTRIBUTION_SOURCE",
]
HEADER = ",".join(FIELDS)
SCHEMA = {
    "type": "record",
    "name": "Interactions",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
        {"name": "EVENT_VALUE", "type": ["null", "float"]},
        {"name": "RECOMMENDATION_ID", "type": ["null", "string"]},
        {"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]},
    ],
}


def row(
    user: str = "u1",
    item: str = "i1",
    ts: object = RECENT,
    etype: str = "click",
    value: str = "1.0",
    rec: str = "",
    src: str = "home",
) -> str:
    return f"{user},{item},{ts},{etype},{value},{rec},{src}"


def csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"
