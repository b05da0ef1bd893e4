"""The widgets this process knows, kept in front of the widget store.

The store is where widgets live (one process's memory, or Redis shared by every worker of
a deployment); the registry remembers what this process showed or has read from the store,
so the script's calls find a widget without waiting for the loop, and the loop asks the
store only for a widget it has not seen.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from ..domain.ports import WidgetStore
from ..domain.widget import Widget

__all__ = ["WidgetRegistry"]


class WidgetRegistry:
    """A thread-safe cache of widgets by label, backed by a :class:`WidgetStore`."""

    def __init__(self, store: WidgetStore) -> None:
        self._store = store
        self._widgets: dict[str, Widget] = {}
        self._shown_here: set[str] = set()  # labels this process showed (not only read)
        self._lock = threading.Lock()

    @property
    def store(self) -> WidgetStore:
        return self._store

    def get(self, label: str) -> Widget | None:
        """The widget as this process knows it (no store read: any thread)."""
        return self._widgets.get(label)

    async def fetch(self, label: str) -> Widget | None:
        """The widget, read from the store when this process does not know it (on the loop)."""
        widget = self._widgets.get(label)
        if widget is None:
            widget = await self._store.get(label)
            if widget is not None:
                with self._lock:
                    widget = self._widgets.setdefault(label, widget)
        return widget

    def put(self, widget: Widget) -> bool:
        """Remember ``widget`` (new, or a new revision of its label); whether it was new."""
        with self._lock:
            new = widget.label not in self._widgets
            self._widgets[widget.label] = widget
            self._shown_here.add(widget.label)
        return new

    def shown_here(self, label: str) -> bool:
        """Whether this process showed ``label`` (so its callbacks, if any, are here), as
        opposed to reading it from the store for a page (another worker showed it)."""
        return label in self._shown_here

    def adopt(self, widget: Widget) -> None:
        """Take the store's version of a label this process put (another process stored
        it first); a later revision put meanwhile keeps its content, with the store's token."""
        with self._lock:
            current = self._widgets.get(widget.label)
            if current is None or current.revision <= widget.revision:
                self._widgets[widget.label] = widget
            else:
                self._widgets[widget.label] = replace(current, token=widget.token)

    def retheme(self, label: str, theme: str) -> None:
        """The widget of ``label``, if known here, switched to ``theme``."""
        with self._lock:
            widget = self._widgets.get(label)
            if widget is not None:
                self._widgets[label] = widget.themed(theme)

    def remove(self, label: str) -> Widget | None:
        with self._lock:
            self._shown_here.discard(label)
            return self._widgets.pop(label, None)

    def labels(self) -> list[str]:
        """Labels known to this process, oldest first."""
        return list(self._widgets)
