"""Recording start times from hydrophone file names.

Recognised, in this order: SoundTrap ``<serial>.YYMMDDhhmmss`` (e.g. ``5783.230315123000``),
``YYYYMMDD_hhmmss`` / ``YYYYMMDDThhmmss`` / ``YYYYMMDD-hhmmss`` (AudioMoth, the study's
clips, most loggers), and ``YYYY-MM-DD_hh-mm-ss`` (ISO-like with separators).
"""

from __future__ import annotations

import re
from datetime import datetime

_PATTERNS = [
    (re.compile(r"(?:^|\D)\d{3,6}\.(\d{12})(?:\D|$)"), "%y%m%d%H%M%S"),
    (re.compile(r"(?:^|\D)(\d{8}[_T-]\d{6})(?:\D|$)"), None),
    (re.compile(r"(?:^|\D)(\d{4}-\d{2}-\d{2}[_T ]\d{2}[-:]\d{2}[-:]\d{2})(?:\D|$)"), None),
]


def parse_timestamp(name: str) -> datetime | None:
    """The start time a file name carries, or None."""
    for pattern, fmt in _PATTERNS:
        match = pattern.search(name)
        if not match:
            continue
        text = match.group(1)
        if fmt is None:
            text, fmt = re.sub(r"\D", "", text), "%Y%m%d%H%M%S"
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
