"""Widgets: the HTML a user shows, under a label that is also its id in the URL."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace

from .errors import InvalidArgumentError, InvalidLabelError
from .token import Token

__all__ = ["LABEL_PATTERN", "Widget", "check_label", "new_label"]

LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
class Widget:
    """What is shown under one label. Immutable: a change makes a new revision."""

    label: str
    html: str
    title: str = "PyWry"
    token: Token = field(default_factory=Token.generate, repr=False)
    revision: int = 1
    width: int | str | None = None  # pixels or a CSS length; a browser tab sizes itself
    height: int | str | None = None

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

    def revised(self, *, html: str, title: str | None = None) -> Widget:
        """The next revision of this widget: new content, same label and token."""
        return replace(
            self,
            html=html,
            title=self.title if title is None else title,
            revision=self.revision + 1,
        )
