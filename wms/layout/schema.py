"""Layout files (YAML) for planners: validated with pydantic, converted once to domain objects.

:func:`load_layout` reads a file and returns a :class:`~wms.layout.RectangularLayout` or a
:class:`~wms.layout.GraphLayout`; any mistake raises one :class:`~wms.errors.LayoutError` naming the
file, the line, the field path (``blocks[1].positions``) and what to change.
:func:`layout_json_schema` gives the JSON Schema of the format (``wms layout schema``), for editors.
The format is documented for users in ``layouts/README.md``.

The format at a glance
----------------------
::

    # -- rectangular (kind may be omitted) ------------------------------------------------------
    kind: rectangular
    name: small-single-block            # default: the file name without extension
    description: free text
    aisles:                             # give count + pitch_m (+ first_x_m), or explicit x_m
      count: 8                          #   number of parallel aisles, numbered 0.. from the left
      pitch_m: 3.0                      #   centre-to-centre distance of neighbouring aisles
      first_x_m: 0.0                    #   x of aisle 0 (default 0)
      # x_m: [0, 3, 6.5, ...]          #   or: every aisle's x, strictly increasing
    blocks:                             # from the front (depot side, y = 0) to the back
      - positions: 20                   # storage positions per aisle side in this block
        pitch_m: 1.0                    # distance between neighbouring positions (default 1)
        front_to_first_m: 1.0           # front cross-aisle centre line -> first position (1.5)
        last_to_back_m: 1.0             # last position -> back cross-aisle centre line (1.5)
      - positions: 20                   # or: the block's length between cross-aisle centre lines;
        length_m: 20.0                  #   pitch = length/positions, half a pitch at both ends
    sides: 2                            # 1 or 2 storage sides per aisle (default 2)
    levels: 1                           # shelf levels per position (default 1)
    zones:                              # first matching zone wins; omitted filters match all
      - name: fast
        aisles: "0-3"                   # int, "a-b" range, "0-3,7", or a list of those
        blocks: [0]
        levels: [0, 1]
        handling: bulky                 # optional handling class (bulky, fragile, cold, ...)
    points:                             # named points on cross aisles
      depot: {aisle: 0, cross_aisle: front, offset_m: 1.0}
      pack-1: {x_m: 12.0, cross_aisle: 0}
    depot: depot                        # start of every route (default "depot")
    end: pack-1                         # default route end (omit: back to the depot)
    pack_stations: [pack-1]
    sort_zone: null

    # -- graph ------------------------------------------------------------------------------------
    kind: graph
    name: mezzanine
    nodes: [{id: d, x_m: 0, y_m: 0}, {id: n1, x_m: 5, y_m: 0}]
    edges: [{from: d, to: n1, length_m: 5, one_way: false, blocked: false}]
    locations: [{id: M-001, node: n1, zone: mezzanine}]
    points: {depot: d}
    depot: depot
    end: null

Locations of a rectangular layout get the ids of :func:`wms.layout.rectangular.location_id`,
e.g. ``A03-B1-P12-L`` (aisle 3, block 1, position 12 from the block's front, left side) with a
``-<level>`` suffix when ``levels > 1``.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from wms.errors import LayoutError, located
from wms.io.text import read_text

if TYPE_CHECKING:
    import networkx as nx

    from wms.layout.graph import GraphLayout
    from wms.layout.rectangular import RectangularLayout

Loc = tuple[str | int, ...]

# -- reusable field types --------------------------------------------------------------------------

_RANGE_ITEM = r"\s*\d+\s*(-\s*\d+\s*)?"
_RANGE_RE = re.compile(rf"^{_RANGE_ITEM}(,{_RANGE_ITEM})*$")


def _expand_indices(value: Any) -> Any:
    """``3``, ``"0-9"``, ``"0-3,7"``, or a list of those -> a sorted tuple of distinct ints."""
    items = value if isinstance(value, list | tuple) else [value]
    out: set[int] = set()
    for item in items:
        if isinstance(item, bool):
            raise ValueError(f"expected an index or a range like '0-9', got {item!r}")
        if isinstance(item, int):
            if item < 0:
                raise ValueError(f"indices count from 0, got {item}")
            out.add(item)
            continue
        if not isinstance(item, str) or not _RANGE_RE.match(item):
            raise ValueError(
                f"expected an index, a range like '0-9' or a list like '0-3,7', got {item!r}"
            )
        for part in item.split(","):
            lo_s, _, hi_s = part.partition("-")
            lo, hi = int(lo_s), int(hi_s or lo_s)
            if lo > hi:
                raise ValueError(f"range {part.strip()!r} runs backwards; write '{hi}-{lo}'")
            out.update(range(lo, hi + 1))
    if not out:
        raise ValueError("the list is empty; omit the field to match everything")
    return tuple(sorted(out))


_INDEX_SCHEMA: dict[str, Any] = {
    "description": "An index, a range 'a-b', a list '0-3,7', or a YAML list of those.",
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": _RANGE_RE.pattern},
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "anyOf": [
                    {"type": "integer", "minimum": 0},
                    {"type": "string", "pattern": _RANGE_RE.pattern},
                ]
            },
        },
    ],
    "examples": [3, "0-9", "0-3,7", [0, "4-6"]],
}

IndexSet = Annotated[
    tuple[int, ...], BeforeValidator(_expand_indices), WithJsonSchema(_INDEX_SCHEMA)
]
"""A set of aisle, block or level indices: ``3``, ``"0-9"``, ``"0-3,7"`` or ``[0, "4-6"]``."""


def _cross_aisle(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("front", "back"):
        return value.strip().lower()
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(
        f"expected a cross-aisle index (0 = front, one per block boundary) or 'front'/'back', "
        f"got {value!r}"
    )


CrossAisle = Annotated[
    int | Literal["front", "back"],
    BeforeValidator(_cross_aisle),
    WithJsonSchema(
        {
            "description": "Cross-aisle index (0 = front) or 'front' / 'back'.",
            "anyOf": [{"type": "integer", "minimum": 0}, {"enum": ["front", "back"]}],
        }
    ),
]


def _node_id(value: Any) -> Any:
    # YAML reads `id: 12` as an int; node ids are names, so accept and stringify integers.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


NodeId = Annotated[
    str,
    BeforeValidator(_node_id),
    Field(min_length=1),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]
_HANDLING_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def _handling(value: Any) -> Any:
    if isinstance(value, str) and not _HANDLING_RE.match(value):
        raise ValueError(
            "a handling class is one lowercase word such as 'bulky', 'fragile' or 'cold-chain' "
            f"(letters, digits, '-', '_'), got {value!r}"
        )
    return value


Handling = Annotated[
    str,
    AfterValidator(_handling),
    WithJsonSchema(
        {"type": "string", "pattern": _HANDLING_RE.pattern, "examples": ["bulky", "fragile"]}
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# -- rectangular -----------------------------------------------------------------------------------


class AislesIn(_In):
    """Where the aisles are: ``count`` + ``pitch_m`` (+ ``first_x_m``), or explicit ``x_m``."""

    count: int | None = Field(None, ge=1, description="Number of parallel aisles.")
    pitch_m: float | None = Field(None, gt=0, description="Centre-to-centre aisle distance (m).")
    first_x_m: float = Field(0.0, description="x of aisle 0 (m).")
    x_m: list[float] | None = Field(
        None,
        min_length=1,
        description="Every aisle's x (m), strictly increasing (instead of pitch).",
    )

    @model_validator(mode="after")
    def _one_form(self) -> AislesIn:
        if self.x_m is not None:
            if self.pitch_m is not None:
                raise ValueError("give either x_m (every aisle's x) or count + pitch_m, not both")
            if any(b <= a for a, b in zip(self.x_m, self.x_m[1:], strict=False)):
                raise ValueError(f"x_m must be strictly increasing, got {self.x_m}")
            if self.count is not None and self.count != len(self.x_m):
                raise ValueError(f"count is {self.count} but x_m lists {len(self.x_m)} aisles")
        elif self.count is None or self.pitch_m is None:
            raise ValueError(
                "needs count and pitch_m (e.g. 'count: 10' and 'pitch_m: 5'), or x_m with every "
                "aisle's x"
            )
        return self

    def xs(self) -> list[float]:
        """x of every aisle (m)."""
        if self.x_m is not None:
            return list(self.x_m)
        assert self.count is not None and self.pitch_m is not None
        return [self.first_x_m + k * self.pitch_m for k in range(self.count)]


class BlockIn(_In):
    """Storage positions of one block, the same in every aisle (see :class:`~wms.layout.BlockSpec`).

    Either ``pitch_m`` / ``front_to_first_m`` / ``last_to_back_m`` (defaults 1, 1.5, 1.5) or
    ``length_m``: the positions then fill the length evenly (pitch ``length_m / positions`` unless
    given, the rest split equally between both ends).
    """

    positions: int = Field(ge=1, description="Storage positions per aisle side in this block.")
    pitch_m: float | None = Field(
        None, gt=0, description="Distance between neighbouring positions."
    )
    front_to_first_m: float | None = Field(
        None, gt=0, description="Front cross-aisle centre line to the first position (m)."
    )
    last_to_back_m: float | None = Field(
        None, gt=0, description="Last position to the back cross-aisle centre line (m)."
    )
    length_m: float | None = Field(
        None,
        gt=0,
        description="Block length between cross-aisle centre lines (m), instead of the ends.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> BlockIn:
        if self.length_m is not None:
            if self.front_to_first_m is not None or self.last_to_back_m is not None:
                raise ValueError(
                    "give either length_m or front_to_first_m/last_to_back_m, not both"
                )
            if self.pitch_m is not None:
                span = (self.positions - 1) * self.pitch_m
                if span >= self.length_m:
                    raise ValueError(
                        f"length_m {self.length_m:g} is too short for {self.positions} positions "
                        f"at pitch {self.pitch_m:g} m: it must exceed {span:g} m"
                    )
        return self

    def spec(self) -> tuple[int, float, float, float]:
        """``(positions, pitch_m, front_to_first_m, last_to_back_m)`` with defaults resolved."""
        if self.length_m is None:
            return (
                self.positions,
                1.0 if self.pitch_m is None else self.pitch_m,
                1.5 if self.front_to_first_m is None else self.front_to_first_m,
                1.5 if self.last_to_back_m is None else self.last_to_back_m,
            )
        pitch = self.length_m / self.positions if self.pitch_m is None else self.pitch_m
        end = (self.length_m - (self.positions - 1) * pitch) / 2
        return self.positions, pitch, end, end


class ZoneIn(_In):
    """A zone (sector): the locations in ``aisles`` x ``blocks`` x ``levels`` (omitted: all)."""

    name: Name
    aisles: IndexSet | None = None
    blocks: IndexSet | None = None
    levels: IndexSet | None = None
    handling: Handling | None = Field(
        None, description="Handling class the zone is reserved for, e.g. bulky, fragile, cold."
    )
    description: str | None = None


class PointIn(_In):
    """A named point on a cross aisle: x from ``aisle`` (its centre line) or ``x_m``."""

    aisle: int | None = Field(None, ge=0, description="Stand at the x of this aisle.")
    x_m: float | None = Field(None, description="Or stand at this x (m), between the outer aisles.")
    cross_aisle: CrossAisle = "front"
    offset_m: float = Field(0.0, ge=0, description="Walk from the cross-aisle centre line (m).")
    description: str | None = None

    @model_validator(mode="after")
    def _one_x(self) -> PointIn:
        if (self.aisle is None) == (self.x_m is None):
            raise ValueError("give exactly one of 'aisle: <index>' or 'x_m: <metres>'")
        return self


class RectangularLayoutIn(_In):
    """A rectangular warehouse: parallel aisles crossed by ``len(blocks) + 1`` cross aisles."""

    kind: Literal["rectangular"] = "rectangular"
    name: Name | None = Field(None, description="Layout name (default: the file name).")
    description: str | None = None
    aisles: AislesIn
    blocks: list[BlockIn] = Field(min_length=1)
    sides: Literal[1, 2] = 2
    levels: int = Field(1, ge=1, le=100)
    zones: list[ZoneIn] = Field(default_factory=list)
    points: dict[Name, PointIn] = Field(min_length=1)
    depot: Name = "depot"
    end: Name | None = None
    pack_stations: list[Name] = Field(default_factory=list)
    sort_zone: Name | None = None


# -- graph -----------------------------------------------------------------------------------------


class NodeIn(_In):
    """A node of the walking network (aisle point, corner, station) at ``(x_m, y_m)``."""

    id: NodeId
    x_m: float
    y_m: float


class EdgeIn(_In):
    """A walkable segment; ``length_m`` defaults to the straight-line distance of its nodes."""

    from_: NodeId = Field(alias="from")
    to: NodeId
    length_m: float | None = Field(None, gt=0)
    one_way: bool = Field(False, description="Walkable only from 'from' to 'to'.")
    blocked: bool = Field(False, description="Temporarily closed: kept in the file, not walkable.")


class LocationIn(_In):
    """A storage location picked from node ``node``."""

    id: Name
    node: NodeId
    zone: Name | None = None


class GraphLayoutIn(_In):
    """Any walking network: nodes, edges, and storage locations attached to nodes."""

    kind: Literal["graph"]
    name: Name | None = Field(None, description="Layout name (default: the file name).")
    description: str | None = None
    nodes: list[NodeIn] = Field(min_length=1)
    edges: list[EdgeIn] = Field(min_length=1)
    locations: list[LocationIn] = Field(min_length=1)
    points: dict[Name, NodeId] = Field(min_length=1, description="Point name -> node id.")
    depot: Name = "depot"
    end: Name | None = None
    pack_stations: list[Name] = Field(default_factory=list)
    sort_zone: Name | None = None


LayoutIn = Union[RectangularLayoutIn, GraphLayoutIn]  # noqa: UP007 - TypeAdapter needs a runtime union
_KINDS: dict[str, type[BaseModel]] = {"rectangular": RectangularLayoutIn, "graph": GraphLayoutIn}


def layout_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of layout files, for editors and ``wms layout schema``."""
    schema = TypeAdapter(LayoutIn).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "wms layout file",
        "description": "A warehouse layout: rectangular (parallel aisles, blocks) or graph.",
        **schema,
    }


# -- reading ---------------------------------------------------------------------------------------


class _Source:
    """Where a document came from, to point error messages at a file, a line and a field."""

    def __init__(self, name: str, root: yaml.Node | None = None) -> None:
        self.name = name
        self.root = root

    def line_of(self, loc: Loc) -> int | None:
        """1-based line of the deepest YAML node along ``loc`` (None without a YAML source)."""
        node = self.root
        if node is None:
            return None
        best = node.start_mark.line + 1
        for part in loc:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        nxt, best = value, key.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                nxt = node.value[part]
                best = nxt.start_mark.line + 1
            if nxt is None:
                break
            node = nxt
        return best

    def error(self, loc: Loc, message: str) -> LayoutError:
        where = _dotted(loc)
        text = f"{where}: {message}" if where else message
        return LayoutError(located(self.name, self.line_of(loc), text))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _annotation_model(annotation: Any, part: str | int) -> Any:
    """The type one step into ``annotation`` along ``part`` (list index, dict key, field)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _annotation_model(get_args(annotation)[0], part)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                found = _annotation_model(arg, part)
                if found is not None:
                    return found
        return None
    if origin in (list, tuple) and isinstance(part, int):
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
        for fname, info in annotation.model_fields.items():
            if part in (fname, info.alias):
                return info.annotation
    return None


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    t: Any = root
    for part in loc:
        t = _annotation_model(t, part)
        if t is None:
            return None
    # Unwrap Optional[Model] at the end.
    if get_origin(t) is not None:
        models = [a for a in get_args(t) if isinstance(a, type) and issubclass(a, BaseModel)]
        t = models[0] if models else None
    return t if isinstance(t, type) and issubclass(t, BaseModel) else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


_MISSING_HINTS = {
    "aisles": "aisles: {count: 10, pitch_m: 5.0}",
    "blocks": "blocks: [{positions: 45, pitch_m: 1.0}]",
    "points": "points: {depot: {aisle: 0, cross_aisle: front}}",
    "positions": "positions: 20",
    "name": "name: fast-movers",
    "kind": "kind: graph",
    "nodes": "nodes: [{id: depot, x_m: 0, y_m: 0}]",
    "edges": "edges: [{from: depot, to: n1}]",
    "locations": "locations: [{id: L-001, node: n1}]",
    "id": "id: n1",
    "x_m": "x_m: 0.0",
    "y_m": "y_m: 0.0",
    "from": "from: n1",
    "to": "to: n2",
    "node": "node: n1",
}


def _explain(root: type[BaseModel], err: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence saying what is wrong and how to fix it."""
    kind = err["type"]
    loc: Loc = tuple(err["loc"])
    value = err.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        names = _field_names(parent) if parent else []
        hint = difflib.get_close_matches(str(loc[-1]), names, n=1)
        text = f"unknown field {loc[-1]!r}"
        if hint:
            text += f"; did you mean {hint[0]!r}?"
        if names:
            text += f" (allowed: {', '.join(names)})"
        return text
    if kind == "missing":
        example = _MISSING_HINTS.get(str(loc[-1]))
        return "required field is missing" + (f"; add e.g. '{example}'" if example else "")
    msg: str = err["msg"]
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    msg = re.sub(r"^(Input|String|List|Dictionary|Value|Number) should", "must", msg)
    if msg.startswith("must be a valid"):
        msg = msg.split(", ")[0]  # drop pydantic's parser detail: the value is shown below
    msg = msg[0].lower() + msg[1:]
    if not isinstance(value, dict | list):
        msg += f", got {value!r}"
    return msg


def _from_validation_error(
    source: _Source, root: type[BaseModel], exc: ValidationError
) -> LayoutError:
    errors = list(exc.errors(include_url=False))
    # An unknown field usually explains a "missing" one next to it (a typo): report it first.
    errors.sort(key=lambda e: (e["type"] != "extra_forbidden", e["type"] == "missing"))
    first = errors[0]
    loc: Loc = tuple(first["loc"])
    message = _explain(root, first)
    if len(errors) > 1:
        others = ", ".join(
            dict.fromkeys(_dotted(tuple(e["loc"])) or "(top level)" for e in errors[1:])
        )
        message += (
            f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}: {others})"
        )
    return source.error(loc, message)


def _compose(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse YAML, refusing duplicate keys; return the data and the node tree (for lines)."""
    source = str(path)
    text = read_text(path, "layout file", LayoutError)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_duplicate_keys(source, node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        col = f" (column {mark.column + 1})" if mark is not None else ""
        raise LayoutError(
            located(
                source,
                line,
                f"YAML syntax error: {what}{col}; check the indentation and "
                "quoting on this line and the one before",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise LayoutError(f"{source}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    return data, node


def _check_duplicate_keys(source: str, node: yaml.Node) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        raise LayoutError(
                            located(
                                source,
                                line,
                                f"duplicate key {key.value!r} (first on line "
                                f"{seen[key.value]}); YAML keeps only one, so remove the other",
                            )
                        )
                    seen[key.value] = line
                stack.append(value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def load_layout(path: str | Path) -> RectangularLayout | GraphLayout:
    """Read a YAML layout file and build the layout it describes.

    Parameters
    ----------
    path
        A ``.yaml`` file in the format of ``layouts/README.md`` (``kind: rectangular``, the
        default, or ``kind: graph``).

    Returns
    -------
    RectangularLayout or GraphLayout

    Raises
    ------
    LayoutError
        One message with the file, the line, the field path and what to change, e.g.
        ``"x.yaml, line 9: blocks[1].positions: must be greater than or equal to 1, got 0"``.
    """
    path = Path(path)
    data, node = _compose(path)
    return parse_layout(data, source=str(path), default_name=path.stem, _root=node)


def parse_layout(
    data: Any,
    *,
    source: str = "<layout>",
    default_name: str = "layout",
    _root: yaml.Node | None = None,
) -> RectangularLayout | GraphLayout:
    """Build a layout from already-parsed data (a dict as read from YAML or JSON).

    Parameters
    ----------
    data
        The layout document.
    source
        What to call the document in error messages (a file name).
    default_name
        Layout name when the document has no ``name``.

    Returns
    -------
    RectangularLayout or GraphLayout

    Raises
    ------
    LayoutError
        See :func:`load_layout`.
    """
    src = _Source(source, _root)
    if data is None:
        raise LayoutError(
            f"{source}: the file is empty; a layout needs at least aisles, blocks and points "
            "(see layouts/README.md)"
        )
    if not isinstance(data, dict):
        raise src.error(
            (),
            f"expected a mapping of fields (name, aisles, blocks, ...), got {type(data).__name__}",
        )
    kind = data.get("kind", "rectangular")
    if kind not in _KINDS:
        raise src.error(("kind",), f"unknown layout kind {kind!r}; use 'rectangular' or 'graph'")
    model_cls = _KINDS[kind]
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        raise _from_validation_error(src, model_cls, exc) from None
    name = model.name or default_name  # type: ignore[attr-defined]
    if isinstance(model, RectangularLayoutIn):
        return _build_rectangular(model, name, src)
    assert isinstance(model, GraphLayoutIn)
    return _build_graph(model, name, src)


# -- rectangular -> domain -------------------------------------------------------------------------


def _check_roles(
    src: _Source,
    points: Sequence[str],
    depot: str,
    end: str | None,
    pack: Sequence[str],
    sort_zone: str | None,
) -> None:
    defined = ", ".join(points) or "(none)"
    roles: list[tuple[Loc, str | None]] = [
        (("depot",), depot),
        (("end",), end),
        (("sort_zone",), sort_zone),
    ]
    roles += [(("pack_stations", k), p) for k, p in enumerate(pack)]
    for loc, name in roles:
        if name is not None and name not in points:
            raise src.error(
                loc, f"no point named {name!r}; define it under 'points' (defined: {defined})"
            )
    for k, p in enumerate(pack):
        if p in pack[:k]:
            raise src.error(("pack_stations", k), f"pack station {p!r} is listed twice")


def _build_rectangular(model: RectangularLayoutIn, name: str, src: _Source) -> RectangularLayout:
    from wms.layout.rectangular import BlockSpec, Zone, ZoneRule, build_rectangular
    from wms.model import Point

    xs = model.aisles.xs()
    n_aisles, n_blocks = len(xs), len(model.blocks)
    limits = {
        "aisles": (n_aisles, "aisles"),
        "blocks": (n_blocks, "blocks"),
        "levels": (model.levels, "levels"),
    }
    handling: dict[str, tuple[str | None, int]] = {}
    rules = []
    for k, zone in enumerate(model.zones):
        for field_name, (n, what) in limits.items():
            chosen: tuple[int, ...] | None = getattr(zone, field_name)
            if chosen and chosen[-1] >= n:
                raise src.error(
                    ("zones", k, field_name),
                    f"{what[:-1]} {chosen[-1]} does not exist: the layout has {what} 0..{n - 1}",
                )
        if zone.name in handling and handling[zone.name][0] != zone.handling:
            raise src.error(
                ("zones", k, "handling"),
                f"zone {zone.name!r} is also listed as zones[{handling[zone.name][1]}] "
                "with handling "
                f"{handling[zone.name][0]!r}; entries of one zone must agree on handling",
            )
        handling.setdefault(zone.name, (zone.handling, k))
        rules.append(
            ZoneRule(Zone(zone.name, zone.handling), zone.aisles, zone.blocks, zone.levels)
        )

    points = []
    for pname, p in model.points.items():
        if p.aisle is not None:
            if p.aisle >= n_aisles:
                raise src.error(
                    ("points", pname, "aisle"),
                    f"aisle {p.aisle} does not exist: the layout has aisles 0..{n_aisles - 1}",
                )
            x = xs[p.aisle]
        else:
            assert p.x_m is not None
            x = p.x_m
            if not xs[0] <= x <= xs[-1]:
                raise src.error(
                    ("points", pname, "x_m"),
                    f"x_m {x:g} lies outside the aisles ({xs[0]:g}..{xs[-1]:g} m); points stand on "
                    "a cross aisle between the outer aisles",
                )
        row = (
            0
            if p.cross_aisle == "front"
            else n_blocks
            if p.cross_aisle == "back"
            else p.cross_aisle
        )
        assert isinstance(row, int)
        if row > n_blocks:
            raise src.error(
                ("points", pname, "cross_aisle"),
                f"cross aisle {row} does not exist: {n_blocks} block{'s' if n_blocks > 1 else ''} "
                f"give cross aisles 0..{n_blocks} (or use 'front'/'back')",
            )
        points.append(Point(pname, x, row, p.offset_m))
    _check_roles(
        src, list(model.points), model.depot, model.end, model.pack_stations, model.sort_zone
    )

    try:
        return build_rectangular(
            name,
            aisle_x_m=xs,
            blocks=[BlockSpec(*b.spec()) for b in model.blocks],
            points=points,
            depot=model.depot,
            end=model.end,
            sides=model.sides,
            levels=model.levels,
            zone_rules=rules,
            pack_stations=model.pack_stations,
            sort_zone=model.sort_zone,
        )
    except (LayoutError, ValueError) as exc:  # pragma: no cover - the checks above come first
        raise src.error((), str(exc)) from None


# -- graph -> domain -------------------------------------------------------------------------------


def _networkx(model: GraphLayoutIn, src: _Source) -> nx.Graph | nx.DiGraph:
    """The walking network as a networkx graph (node attributes x, y; edge attribute length)."""
    import math

    import networkx as nx

    coords: dict[str, tuple[float, float]] = {}
    for k, node in enumerate(model.nodes):
        if node.id in coords:
            first = next(i for i, n in enumerate(model.nodes) if n.id == node.id)
            raise src.error(
                ("nodes", k, "id"), f"node {node.id!r} is already defined as nodes[{first}]"
            )
        coords[node.id] = (node.x_m, node.y_m)
    directed = any(e.one_way for e in model.edges)
    g: nx.Graph | nx.DiGraph = nx.DiGraph() if directed else nx.Graph()
    for nid, (x, y) in coords.items():
        g.add_node(nid, x=x, y=y)
    arcs: dict[tuple[str, str], int] = {}  # walkable direction -> edge index, to spot duplicates
    for k, e in enumerate(model.edges):
        for end_field, nid in (("from", e.from_), ("to", e.to)):
            if nid not in coords:
                hint = difflib.get_close_matches(nid, list(coords), n=1)
                raise src.error(
                    ("edges", k, end_field),
                    f"unknown node {nid!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                )
        if e.from_ == e.to:
            raise src.error(("edges", k), f"edge from {e.from_!r} to itself; remove it")
        mine = [(e.from_, e.to)] if e.one_way else [(e.from_, e.to), (e.to, e.from_)]
        for arc in mine:
            if arc in arcs:
                raise src.error(
                    ("edges", k), f"edge {e.from_!r} - {e.to!r} duplicates edges[{arcs[arc]}]"
                )
        arcs.update(dict.fromkeys(mine, k))
        (x0, y0), (x1, y1) = coords[e.from_], coords[e.to]
        length = e.length_m if e.length_m is not None else math.hypot(x1 - x0, y1 - y0)
        if length <= 0:
            raise src.error(
                ("edges", k),
                f"nodes {e.from_!r} and {e.to!r} share coordinates; give the edge a length_m > 0",
            )
        # Blocked edges stay in the graph (GraphLayout leaves them out of the walking network and
        # keeps them for planners who derive variants).
        for u, v in mine if directed else mine[:1]:
            g.add_edge(u, v, length=length, blocked=e.blocked)
    return g


def _build_graph(model: GraphLayoutIn, name: str, src: _Source) -> GraphLayout:
    import networkx as nx

    from wms.layout.graph import GraphLayout

    g = _networkx(model, src)
    node_ids = set(g.nodes)
    locations: dict[str, str] = {}
    for k, loc in enumerate(model.locations):
        if loc.id in locations:
            raise src.error(
                ("locations", k, "id"), f"location id {loc.id!r} appears more than once"
            )
        if loc.node not in node_ids:
            raise src.error(("locations", k, "node"), f"unknown node {loc.node!r}")
        locations[loc.id] = loc.node
    for pname, nid in model.points.items():
        if nid not in node_ids:
            raise src.error(("points", pname), f"unknown node {nid!r}")
    _check_roles(
        src, list(model.points), model.depot, model.end, model.pack_stations, model.sort_zone
    )

    # Every location and point must be reachable from the depot and must reach the route ends.
    depot_node = model.points[model.depot]
    walkable = nx.subgraph_view(g, filter_edge=lambda u, v: not g[u][v]["blocked"])
    reach = nx.descendants(walkable, depot_node) | {depot_node}
    back = (nx.ancestors(walkable, depot_node) if g.is_directed() else reach) | {depot_node}
    targets: list[tuple[Loc, str, str]] = [
        (("locations", k), f"location {loc.id!r}", loc.node)
        for k, loc in enumerate(model.locations)
    ]
    targets += [(("points", p), f"point {p!r}", n) for p, n in model.points.items()]
    for loc_path, what, nid in targets:
        if nid not in reach:
            raise src.error(
                loc_path,
                f"{what} (node {nid!r}) cannot be reached from the depot; check blocked and "
                "one_way edges",
            )
        if nid not in back:
            raise src.error(
                loc_path,
                f"{what} (node {nid!r}) has no way back to the depot; check one_way edges",
            )

    zones = {loc.id: loc.zone for loc in model.locations if loc.zone is not None}
    try:
        return GraphLayout.from_networkx(
            name,
            g,
            locations=locations,
            points=dict(model.points),
            depot=model.depot,
            end=model.end,
            weight="length",
            zones=zones or None,
            pack_stations=tuple(model.pack_stations),
            sort_zone=model.sort_zone,
        )
    except (LayoutError, ValueError) as exc:
        raise src.error((), str(exc)) from None
