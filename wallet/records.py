"""Value classes for the start path of every command, without the `dataclasses` module.

`dataclasses` loads `inspect` (with ast, dis and tokenize) and compiles each class's __init__, __repr__ and
__eq__ with exec: together ~15 ms of a `polis proposals show`, for a handful of small records. A class here
writes its __init__ out and lists its fields in `_fields`; `Value` gives it a dataclass's repr and equality,
`Frozen` a frozen dataclass's immutability and hash.
"""

from __future__ import annotations

from typing import Any, ClassVar


class FrozenError(AttributeError):
    """Assigning to a field of a frozen record (as dataclasses' FrozenInstanceError)."""


class Value:
    """Repr and equality by `_fields`, as a dataclass has them (equal only to the same class); unhashable, as a
    mutable dataclass is."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._fields)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def as_dict(self) -> dict[str, Any]:
        """The fields by name, values deep-copied (what dataclasses.asdict gives for plain data)."""
        import copy

        return {n: copy.deepcopy(getattr(self, n)) for n in self._fields}


class Frozen(Value):
    """A Value whose fields are set once by its __init__ (through `_init`) and hashable by them."""

    __slots__ = ()

    def _init(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:  # type: ignore[override]  # frozen: hashable again, as a frozen dataclass
        return hash(tuple(getattr(self, n) for n in self._fields))
