"""Widgets: the HTML a user shows, under a label that is also its id in the URL."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace

from .errors import InvalidArgumentError, InvalidLabelError
from .token import Token

__all__ = ["LABEL_PATTERN", "PAGE_THEMES", "Surround", "Widget", "check_label", "new_label"]

LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The themes a page can be in; a widget without one of its own has the app's.
PAGE_THEMES = ("dark", "light", "system")


def check_label(label: object) -> str:
    """Return ``label`` if it can be the widget's id in a URL, else raise ``InvalidLabelError``."""
    if not isinstance(label, str) or LABEL_PATTERN.match(label) is None:
        raise InvalidLabelError(
            f"invalid widget label {label!r}: use 1 to 64 of the characters A-Z, a-z, 0-9, "
            "'_' and '-' (the label is the widget's id in its URL)"
        )
    return label


# A CSS length as the release took it for a width ("60%", "500px", "40vw"), or "auto".
_CSS_LENGTH = re.compile(r"^(auto|\d+(\.\d+)?(px|%|em|rem|vw|vh|vmin|vmax|ch|ex|cm|mm|in|pt|pc))$")


def check_size(where: str, **sizes: int | str | None) -> None:
    """Refuse a width or height that is neither a whole number of pixels nor a CSS length."""
    for name, value in sizes.items():
        if value is None or (isinstance(value, str) and _CSS_LENGTH.match(value.strip())):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(
                f"{where} takes {name} as a whole number of pixels (1 or more) or a CSS"
                f" length such as '100%' or '500px', got {value!r}"
            )


def check_content(
    where: str,
    content: object,
    *,
    title: object,
    width: int | str | None,
    height: int | str | None,
) -> None:
    """Refuse content that is not HTML text, a title that is not text, or a bad size."""
    if not isinstance(content, str):
        raise InvalidArgumentError(f"{where} takes HTML as a string, got {type(content).__name__}")
    if title is not None and not isinstance(title, str):
        raise InvalidArgumentError(f"{where} takes a string title, got {type(title).__name__}")
    check_size(where, width=width, height=height)


def new_label() -> str:
    """A short random label, safe in a URL."""
    return "w" + secrets.token_hex(4)


@dataclass(frozen=True, slots=True)
class Surround:
    """A widget's toolbars and modals, drawn: the HTML that goes around its content.

    Kept with the widget (and stored with it), so that new content is drawn inside the same
    toolbars and modals. ``assets`` is the components' style sheet and script.
    """

    above: str = ""
    left: str = ""
    inside: str = ""
    right: str = ""
    below: str = ""
    modals: str = ""
    assets: str = ""


class _Keep:
    """revised()'s default: the widget's own value stays."""


_KEEP = _Keep()


@dataclass(frozen=True, slots=True)
class Widget:
    """What is shown under one label. Immutable: a change makes a new revision."""

    label: str
    html: str
    title: str = "PyWry"
    token: Token = field(default_factory=Token.generate, repr=False)
    revision: int = 1
    width: int | str | None = None  # pixels or a CSS length; a browser tab sizes itself
    height: int | str | None = None
    surround: Surround | None = None  # its toolbars and modals, if it has any
    theme: str | None = None  # as last switched (pywry:update-theme); None: the app's

    def __post_init__(self) -> None:
        check_label(self.label)
        if not isinstance(self.html, str):
            raise InvalidArgumentError(
                f"widget content must be an HTML string, got {type(self.html).__name__}"
            )
        if not isinstance(self.title, str):
            raise InvalidArgumentError(
                f"a widget's title must be a string, got {type(self.title).__name__}"
            )
        if self.theme is not None and self.theme not in PAGE_THEMES:
            raise InvalidArgumentError(
                f"a widget's theme must be one of {', '.join(PAGE_THEMES)}, got {self.theme!r}"
            )

    def revised(
        self, *, html: str, title: str | None = None, surround: Surround | _Keep | None = _KEEP
    ) -> Widget:
        """The next revision of this widget: new content, same label, token and theme.

        ``surround``: new toolbars and modals (``None``: none); by default they stay, and
        ``html`` is expected to be drawn inside them already.
        """
        return replace(
            self,
            html=html,
            title=self.title if title is None else title,
            revision=self.revision + 1,
            surround=self.surround if isinstance(surround, _Keep) else surround,
        )

    def themed(self, theme: str | None) -> Widget:
        """This widget in ``theme`` (the same revision: its content did not change)."""
        return self if theme == self.theme else replace(self, theme=theme)
