"""Where pywry keeps what in Redis: every key of one deployment, under its prefix.

One widget's keys share a hash tag (``{label}``), so on a Redis Cluster they live in one
slot and a script may touch them together.
"""

from __future__ import annotations

__all__ = ["Keys"]


class Keys:
    """The key names of one deployment (``[deploy] redis_prefix``)."""

    __slots__ = ("_doorbell_prefix", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._doorbell_prefix = f"{prefix}:bell:"

    def widget(self, label: str) -> str:
        """HASH: a widget's html, title, token, revision, size."""
        return f"{self.prefix}:{{{label}}}:widget"

    @property
    def widgets(self) -> str:
        """ZSET: every widget's label, scored by the order it was first saved."""
        return f"{self.prefix}:widgets"

    @property
    def widget_order(self) -> str:
        """STRING: the counter behind :attr:`widgets`' scores."""
        return f"{self.prefix}:widgets:order"

    def meta(self, label: str) -> str:
        """HASH: a widget's event counter (``seq``)."""
        return f"{self.prefix}:{{{label}}}:meta"

    def stream(self, label: str) -> str:
        """STREAM: a widget's numbered events, ids ``<seq>-0``."""
        return f"{self.prefix}:{{{label}}}:out"

    def doorbell(self, label: str) -> str:
        """Pub/sub channel: the number of a widget's newest event, nothing else."""
        return f"{self._doorbell_prefix}{label}"

    def label_of_doorbell(self, channel: bytes | str) -> str | None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        prefix = self._doorbell_prefix
        return name[len(prefix) :] if name.startswith(prefix) else None

    def owner(self, label: str) -> str:
        """STRING: the worker that showed the widget (its callbacks are there)."""
        return f"{self.prefix}:{{{label}}}:owner"

    def alive(self, worker: str) -> str:
        """STRING with a TTL: the worker's heartbeat."""
        return f"{self.prefix}:alive:{worker}"

    def pages(self, label: str) -> str:
        """HASH: per worker, how many pages of the widget it serves."""
        return f"{self.prefix}:{{{label}}}:pages"

    def relay(self, worker: str) -> str:
        """STREAM: what other workers hand to ``worker``."""
        return f"{self.prefix}:relay:{worker}"

    def running(self, worker: str) -> str:
        """Hash: the pages' events running on ``worker`` (kept until they finish)."""
        return f"{self.prefix}:running:{worker}"

    @property
    def running_workers(self) -> str:
        """Set: the workers that may have events in a ``running`` hash."""
        return f"{self.prefix}:running-workers"

    def handled(self, label: str) -> str:
        """HASH: per page id, the last frame of the page that was handled."""
        return f"{self.prefix}:{{{label}}}:handled"
