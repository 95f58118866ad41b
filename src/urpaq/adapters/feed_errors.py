"""The one error of reading a feed."""

from __future__ import annotations


class FeedUnreadable(Exception):
    """A file that is not a register feed at all; nothing of it can be imported."""
