"""Stages: the phases of a service, left to right, each an id and a display label.

A stage's id is the stable key steps refer to; its label is what the picture
and the reports show, any one line of text in any script. A stage given as
plain text is read by one rule, in code and in files: text without white
space is its own id and label (``"pay"``); text with white space is a label,
and its id is derived from it (``"Check in"`` → ``"check-in"``).
"""

from __future__ import annotations

from typing import Any

import attrs

from servicebp.errors import BlueprintTypeError
from servicebp.model._fields import _check_identifier, _check_text, _show, nfc

__all__ = ["Stage", "stage_id"]


def stage_id(label: str) -> str:
    """Return the stable id derived from a stage label: its words, lower case, joined by ``-``.

    Text without white space is its own id, unchanged.

    Examples
    --------
    >>> stage_id("Room service delivery"), stage_id("pay"), stage_id("办理 入住")
    ('room-service-delivery', 'pay', '办理-入住')
    """
    _check_text("stage", label, multiline=False)
    words = label.split()
    if len(words) == 1 and words[0] == label:
        return label
    return "-".join(words).lower()


def _single_line(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_text(f"stage {attribute.name}", value, multiline=False)


def _stage_key(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_identifier("stage id", value)


@attrs.frozen(kw_only=True)
class Stage:
    """One stage (phase, column) of a blueprint.

    Parameters
    ----------
    id : str
        The stable key steps refer to; no white space.
    label : str, optional
        What the picture and reports show: one line of any text. Defaults
        to the id.

    Examples
    --------
    >>> Stage(id="check-in", label="Check in")
    Stage(id='check-in', label='Check in')
    >>> Stage.of("Check in") == Stage(id="check-in", label="Check in")
    True
    >>> Stage.of("pay")
    Stage(id='pay', label='pay')
    """

    id: str = attrs.field(converter=nfc, validator=_stage_key)
    # In NFC like the id, so a stage named by text without spaces keeps one
    # name for id and label.
    label: str = attrs.field(
        default=attrs.Factory(lambda self: self.id, takes_self=True),
        converter=nfc,
        validator=_single_line,
    )

    @classmethod
    def of(cls, value: Stage | str) -> Stage:
        """Return *value* as a stage: a :class:`Stage` as it is, text by the module's rule."""
        if isinstance(value, Stage):
            return value
        if not isinstance(value, str):
            raise BlueprintTypeError(
                f"stage must be a string or a Stage, not {type(value).__name__} ({_show(value)})"
            )
        return cls(id=stage_id(value), label=value)

    def to_data(self) -> str | dict[str, Any]:
        """The file format's form: the id alone when it is also the label, else ``{id, label}``.

        Examples
        --------
        >>> Stage.of("pay").to_data(), Stage.of("Check in").to_data()
        ('pay', {'id': 'check-in', 'label': 'Check in'})
        """
        if self.label == self.id:
            return self.id
        return {"id": self.id, "label": self.label}
