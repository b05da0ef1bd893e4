"""In-process adapters: the widget store and event bus of a single process.

Both live on the server's event loop; the Redis adapters of deploy mode implement the
same ports for many workers on many machines.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.ports import EventBus, Unsubscribe, WidgetStore
from ..domain.widget import Widget

__all__ = ["MemoryEventBus", "MemoryWidgetStore"]


class MemoryWidgetStore(WidgetStore):
    """Widgets in a dict, in the order they were first saved."""

    def __init__(self) -> None:
        self._widgets: dict[str, Widget] = {}

    async def save(self, widget: Widget) -> None:
        self._widgets[widget.label] = widget

    async def get(self, label: str) -> Widget | None:
        return self._widgets.get(label)

    async def delete(self, label: str) -> bool:
        return self._widgets.pop(label, None) is not None

    async def labels(self) -> list[str]:
        return list(self._widgets)


class MemoryEventBus(EventBus):
    """Delivers each published body to the listeners of its label, synchronously."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[Callable[[bytes], None]]] = {}
        self._running = False

    async def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        self._running = False
        self._listeners.clear()

    def publish(self, label: str, body: bytes) -> None:
        for listener in self._listeners.get(label, ()):
            listener(body)

    def subscribe(self, label: str, listener: Callable[[bytes], None]) -> Unsubscribe:
        listeners = self._listeners.setdefault(label, [])
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)
            if not listeners and self._listeners.get(label) is listeners:
                del self._listeners[label]

        return unsubscribe
