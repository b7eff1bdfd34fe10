"""Walk any record by its models' annotations: every sub-record, reference and citation.

Which fields refer to which kind of record is declared once, in the field types of
:mod:`generator.models` (``ActorRef``, ``PlaceRef``, … carry a :class:`RefersTo`).
These walkers read those declarations, so a field added to a model is found here
without being listed anywhere: lists, optional values, mappings and nested models are
followed generically. Each value comes with its location in the file (a ``loc`` tuple
of field names, list positions and mapping keys, as :mod:`generator.yamlload` uses).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple, get_args, get_origin

from pydantic import BaseModel

from generator.models import Citation, NotItself, RefersTo
from generator.yamlload import Loc


class Reference(NamedTuple):
    """One reference inside a record: where it is, what it points at, and the sub-record holding it."""

    loc: Loc
    kind: str  # the folder of the kind it refers to
    target: str  # the id it refers to
    owner: BaseModel  # the (sub-)record whose field holds it, e.g. an incident's actor entry
    itself: str | None = None  # the message when it must not point at the record holding it

    @property
    def field(self) -> tuple[str, ...]:
        """The field path without list positions: ('actors', 'actor') for ('actors', 2, 'actor')."""
        return tuple(part for part in self.loc if isinstance(part, str))


@dataclass(frozen=True)
class _RefField:
    name: str
    rule: RefersTo
    itself: str | None


def _metadata(annotation: Any) -> tuple[Any, list[Any]]:
    """An annotation without its ``Annotated`` layers, and their metadata."""
    extras: list[Any] = []
    while get_origin(annotation) is Annotated:
        annotation, *more = get_args(annotation)
        extras.extend(more)
    return annotation, extras


def _find(annotation: Any, found: list[Any], models: list[type[BaseModel]]) -> None:
    """Collect the metadata and model classes anywhere inside a type (lists, unions, mappings)."""
    annotation, extras = _metadata(annotation)
    found.extend(extras)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        models.append(annotation)
        return
    for arg in get_args(annotation):
        _find(arg, found, models)


def _field_type(model: type[BaseModel], name: str) -> Any:
    info = model.model_fields[name]
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


@functools.cache
def _plan(model: type[BaseModel]) -> tuple[tuple[_RefField, ...], tuple[str, ...]]:
    """For one model class: its reference fields, and the fields that may hold sub-records."""
    references: list[_RefField] = []
    nested: list[str] = []
    for name in model.model_fields:
        found: list[Any] = []
        models: list[type[BaseModel]] = []
        _find(_field_type(model, name), found, models)
        rules = [item for item in found if isinstance(item, RefersTo)]
        if rules:
            itself = next((item.message for item in found if isinstance(item, NotItself)), None)
            references.append(_RefField(name, rules[0], itself))
        if models:
            nested.append(name)
    return tuple(references), tuple(nested)


def _items(value: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    """The values inside a field: the value itself, or each item of a list or mapping."""
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            yield from _items(item, (*loc, position))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _items(item, (*loc, key))
    elif value is not None:
        yield loc, value


def records(record: BaseModel, loc: Loc = ()) -> list[tuple[Loc, BaseModel]]:
    """The record and every sub-record inside it, each with its location, outermost first."""
    found: list[tuple[Loc, BaseModel]] = []
    _collect(loc, record, found)
    return found


def _collect(at: Loc, part: BaseModel, found: list[tuple[Loc, BaseModel]]) -> None:
    found.append((at, part))
    for name in _plan(type(part))[1]:
        value = getattr(part, name)
        if isinstance(value, BaseModel):
            _collect((*at, name), value, found)
        elif type(value) is list:
            for position, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _collect((*at, name, position), item, found)
                else:  # a list of lists or mappings
                    for item_loc, inner in _items(item, (*at, name, position)):
                        if isinstance(inner, BaseModel):
                            _collect(item_loc, inner, found)
        elif value is not None:  # mappings and other containers
            for item_loc, inner in _items(value, (*at, name)):
                if isinstance(inner, BaseModel):
                    _collect(item_loc, inner, found)


def references(record: BaseModel) -> list[Reference]:
    """Every reference to another record inside a record (``none`` values such as 'unknown' left out)."""
    found: list[Reference] = []
    for loc, part in records(record):
        for field in _plan(type(part))[0]:
            value = getattr(part, field.name)
            if isinstance(value, str):
                if value != field.rule.none:
                    found.append(Reference((*loc, field.name), field.rule.kind, value, part, field.itself))
                continue
            for value_loc, item in _items(value, (*loc, field.name)):
                if isinstance(item, str) and item != field.rule.none:
                    found.append(Reference(value_loc, field.rule.kind, item, part, field.itself))
    return found


def citations(record: BaseModel) -> list[tuple[Loc, Citation]]:
    """Every citation inside a record, with its location."""
    return [(loc, part) for loc, part in records(record) if isinstance(part, Citation)]


def reference_fields(model: type[BaseModel]) -> dict[str, str]:
    """The fields of one model class that refer to another record, and the kind each refers to."""
    return {field.name: field.rule.kind for field in _plan(model)[0]}
