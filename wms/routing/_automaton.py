"""The state machine behind the exact rectangular-warehouse router (private).

The optimal-routing dynamic programme (Ratliff & Rosenthal 1983, generalised to several blocks by
Roodbergen & de Koster 2001 and Pansart, Catusse & Cambazard 2018) sweeps the aisles left to
right and builds a minimum-length connected multigraph (edge multiplicities 0, 1, 2) whose degrees
are even except at the start and end. What the sweep must remember about the part already built
is the *frontier*: for each cross aisle (row) the state of the vertex where the sweep currently
stands in that row, and which frontier vertices are already connected.

This module enumerates every reachable frontier state for ``m`` rows once and tabulates
``next_state[step_kind, state, option]`` (``-1`` when the option is infeasible). The compiled
kernels in :mod:`wms.routing._dp_kernels` then only do min-plus updates over these integer tables.
The rules are stated in plain Python (:func:`reference_automaton`); :func:`build_automaton` runs
the same enumeration compiled, on packed integer states, and caches the result per ``m``.

Sweep steps ("broken frontier": one sub-aisle or one row at a time)
-------------------------------------------------------------------
*Vertical step* ``b`` (kind ``b``, ``0 <= b < m-1``): choose how the sub-aisle between rows
``b`` and ``b+1`` of the current aisle is covered (see the ``OPT_*`` constants).

*Horizontal step* for row ``i`` (kind ``horizontal_kind(m, i, required, target)``): choose the
multiplicity ``h`` in {0, 1, 2} of the cross-aisle edge from the current column to the next one.
The old vertex of row ``i`` leaves the frontier: its degree parity must equal ``target``
(1 for an open path's start or end, else 0) and it must have been touched if ``required``. When its
component has no other frontier vertex, the component is closed: feasible only if nothing else is
touched, and then the ``done`` flag forbids touching anything afterwards.

State encoding
--------------
A state is a tuple of ``m`` row codes plus the ``done`` flag. A row code is ``0`` (untouched) or
``1 + 2 * label + parity`` where ``label`` is the row's component, numbered by first appearance from
row 0 upwards (canonical form), and ``parity`` is its degree parity so far. Packed as an integer,
row ``i`` takes bits ``5i .. 5i+4`` and the done flag bit 62 (:func:`code_of_state`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache

import numpy as np
from numba import njit, types
from numba.typed import Dict, List
from numpy.typing import NDArray

#: Sub-aisle options of a vertical step (index into the option axis of the tables).
OPT_NONE = 0  #: not entered (only without picks)
OPT_SINGLE = 1  #: walked through once: toggles both parities, joins both ends
OPT_DOUBLE = 2  #: walked through twice: joins both ends
OPT_UPPER = 3  #: entered from the upper cross aisle down to the lowest pick and back
OPT_LOWER = 4  #: entered from the lower cross aisle up to the highest pick and back
OPT_GAP = 5  #: entered from both ends, leaving out the largest gap between picks (no join)
N_OPTIONS = 6

#: Largest number of rows (cross aisles) the automaton is built for. The number of states grows
#: about 6.6-fold per row (14, 71, 421, 2,665, 17,433, 116,233 for 2..7 rows): 7 rows take about
#: a second to build and 95 MB of tables, 8 rows would take 0.7 GB.
MAX_ROWS = 7

_BITS = 5  # bits per row in a packed state code; row codes go up to 2 * MAX_ROWS
_DONE_BIT = 1 << 62

State = tuple[tuple[int, ...], int]


@dataclass(frozen=True, eq=False)
class Automaton:
    """Transition tables of the frontier state machine for ``n_rows`` cross aisles.

    Attributes
    ----------
    n_rows
        Number of cross aisles ``m`` (blocks + 1).
    next_state
        ``int32[n_kinds, n_states, N_OPTIONS]``: successor state index or ``-1``.
    init
        Index of the start state (nothing touched yet).
    done
        Index of the accepting state (one closed component, nothing on the frontier).
    codes
        ``int64[n_states]``: the states packed as integers (see :func:`state_of_code`).
    """

    n_rows: int
    next_state: NDArray[np.int32]
    init: int
    done: int
    codes: NDArray[np.int64]

    @property
    def n_states(self) -> int:
        return int(self.codes.size)

    def state(self, index: int) -> State:
        """The decoded state ``index``: ``(row codes, done)``."""
        return state_of_code(int(self.codes[index]), self.n_rows)


def horizontal_kind(n_rows: int, row: int, required: bool, target: int) -> int:
    """Step kind of the horizontal step of ``row`` with the given leaving-vertex constraints."""
    return n_rows - 1 + 4 * row + 2 * int(required) + int(target)


def n_kinds(n_rows: int) -> int:
    """Number of step kinds: ``m - 1`` vertical and ``4 m`` horizontal."""
    return n_rows - 1 + 4 * n_rows


# -- state algebra (pure Python, run once per number of rows) ------------------------------------

_FRESH = 1 << 20  # a label no canonical state uses: a vertex touched for the first time


def _canonical(labels: list[int], parity: list[int]) -> tuple[int, ...]:
    remap: dict[int, int] = {}
    out = []
    for lab, par in zip(labels, parity, strict=True):
        if lab < 0:
            out.append(0)
            continue
        if lab not in remap:
            remap[lab] = len(remap)
        out.append(1 + 2 * remap[lab] + par)
    return tuple(out)


def _decode(rows: tuple[int, ...]) -> tuple[list[int], list[int]]:
    labels = [(c - 1) >> 1 if c else -1 for c in rows]
    parity = [(c - 1) & 1 if c else 0 for c in rows]
    return labels, parity


def _vertical(state: State, b: int, option: int) -> State | None:
    rows, done = state
    if option == OPT_NONE:
        return state
    if done:
        return None
    labels, parity = _decode(rows)
    lo, hi = b, b + 1
    touch_lo = option in (OPT_SINGLE, OPT_DOUBLE, OPT_LOWER, OPT_GAP)
    touch_hi = option in (OPT_SINGLE, OPT_DOUBLE, OPT_UPPER, OPT_GAP)
    fresh = _FRESH
    for r, touch in ((lo, touch_lo), (hi, touch_hi)):
        if touch and labels[r] < 0:
            labels[r] = fresh
            fresh += 1
    if option == OPT_SINGLE:
        parity[lo] ^= 1
        parity[hi] ^= 1
    if option in (OPT_SINGLE, OPT_DOUBLE):
        old, new = labels[hi], labels[lo]
        labels = [new if lab == old else lab for lab in labels]
    return _canonical(labels, parity), 0


def _horizontal(state: State, row: int, required: bool, target: int, h: int) -> State | None:
    rows, done = state
    if done:
        return state if h == 0 and rows[row] == 0 and not required else None
    labels, parity = _decode(rows)
    lab = labels[row]
    if h == 0:
        if lab < 0:
            return None if required else state
        if parity[row] != target:
            return None
        labels[row] = -1
        parity[row] = 0
        if lab in labels:
            return _canonical(labels, parity), 0
        if any(x >= 0 for x in labels):
            return None  # the closed component would stay apart from the others
        return (0,) * len(rows), 1
    if (parity[row] + h) % 2 != target:
        return None
    if lab < 0:
        labels[row] = _FRESH
    parity[row] = h % 2
    return _canonical(labels, parity), 0


def _odd_components(rows: tuple[int, ...]) -> int:
    """Number of frontier components whose parities add up to an odd number."""
    odd = 0
    for c in rows:
        if c:
            odd ^= 1 << ((c - 1) >> 1) if (c - 1) & 1 else 0
    return odd.bit_count()


def reference_automaton(n_rows: int) -> Automaton:
    """Enumerate the reachable frontier states for ``n_rows`` cross aisles and tabulate moves.

    The enumeration follows the real step order (per column: vertical steps ``0..m-2``, then
    horizontal steps ``0..m-1``; a virtual column has no vertical steps) and drops states in which
    more than two components have an odd parity sum: by the handshake lemma such a component must
    already contain an odd-degree vertex (start or end), and there are at most two.

    The plain-Python statement of the rules; :func:`build_automaton` runs the same enumeration
    compiled (identical tables, tested) and is what the router uses. This one takes about a second
    for four blocks and a minute for six.
    """
    if not 2 <= n_rows <= MAX_ROWS:
        raise ValueError(f"the exact router supports 2..{MAX_ROWS} cross aisles, got {n_rows}")
    m = n_rows
    init: State = ((0,) * m, 0)
    index: dict[State, int] = {init: 0}
    states: list[State] = [init]
    table: dict[tuple[int, int, int], int] = {}  # (kind, state, option) -> successor
    # A phase is the step about to be taken: 0..m-2 vertical, m-1..2m-2 horizontal (row p-m+1).
    first_horizontal = m - 1
    queue = deque([(0, 0), (0, first_horizontal)])
    seen: set[tuple[int, int]] = set(queue)
    while queue:
        si, phase = queue.popleft()
        s = states[si]
        moves: list[tuple[int, int, State | None]] = []
        if phase < first_horizontal:
            after = [phase + 1]
            moves = [(phase, o, _vertical(s, phase, o)) for o in range(N_OPTIONS)]
        else:
            row = phase - first_horizontal
            after = [phase + 1] if row < m - 1 else [0, first_horizontal]
            for req in (False, True):
                for tgt in (0, 1):
                    kind = horizontal_kind(m, row, req, tgt)
                    moves += [(kind, h, _horizontal(s, row, req, tgt, h)) for h in range(3)]
        for kind, option, t in moves:
            if t is None or _odd_components(t[0]) > 2:
                continue
            ti = index.get(t)
            if ti is None:
                ti = index[t] = len(states)
                states.append(t)
            table[kind, si, option] = ti
            for nxt_phase in after:
                if (ti, nxt_phase) not in seen:
                    seen.add((ti, nxt_phase))
                    queue.append((ti, nxt_phase))
    next_state = np.full((n_kinds(m), len(states), N_OPTIONS), -1, dtype=np.int32)
    for (kind, si, option), ti in table.items():
        next_state[kind, si, option] = ti
    next_state.setflags(write=False)
    done = index[((0,) * m, 1)]
    codes = np.array([code_of_state(t) for t in states], dtype=np.int64)
    return Automaton(n_rows=m, next_state=next_state, init=0, done=done, codes=codes)


def code_of_state(state: State) -> int:
    """Pack a state into an integer: row ``i`` in bits ``5i..5i+4``, the done flag in bit 62."""
    rows, done = state
    return sum(c << (_BITS * i) for i, c in enumerate(rows)) | (_DONE_BIT if done else 0)


def state_of_code(code: int, n_rows: int) -> State:
    """Inverse of :func:`code_of_state`."""
    mask = (1 << _BITS) - 1
    return tuple((code >> (_BITS * i)) & mask for i in range(n_rows)), int(code >= _DONE_BIT)


# -- the same enumeration, compiled ---------------------------------------------------------------


@njit(cache=True)
def _nb_decode(code: int, m: int, labels: np.ndarray, parity: np.ndarray) -> bool:
    for i in range(m):
        c = (code >> (_BITS * i)) & 31
        labels[i] = (c - 1) >> 1 if c else -1
        parity[i] = (c - 1) & 1 if c else 0
    return code >= _DONE_BIT


@njit(cache=True)
def _nb_canonical(m: int, labels: np.ndarray, parity: np.ndarray) -> int:
    remap = np.full(2 * m + 2, -1, dtype=np.int64)  # old labels are < m or fresh (m, m + 1)
    n = 0
    code = 0
    for i in range(m):
        lab = labels[i]
        if lab < 0:
            continue
        if remap[lab] < 0:
            remap[lab] = n
            n += 1
        code |= (1 + 2 * remap[lab] + parity[i]) << (_BITS * i)
    return code


@njit(cache=True)
def _nb_vertical(code: int, m: int, b: int, option: int, labels: np.ndarray,
                 parity: np.ndarray) -> int:  # fmt: skip
    """Compiled :func:`_vertical` on packed codes; ``-1`` when infeasible."""
    if option == OPT_NONE:
        return code
    if _nb_decode(code, m, labels, parity):
        return -1
    lo = b
    hi = b + 1
    # option is SINGLE, DOUBLE, UPPER, LOWER or GAP here
    if option != OPT_UPPER and labels[lo] < 0:
        labels[lo] = m
    if option != OPT_LOWER and labels[hi] < 0:
        labels[hi] = m + 1
    if option == OPT_SINGLE:
        parity[lo] ^= 1
        parity[hi] ^= 1
    if option <= OPT_DOUBLE:
        old = labels[hi]
        new = labels[lo]
        for i in range(m):
            if labels[i] == old:
                labels[i] = new
    return _nb_canonical(m, labels, parity)


@njit(cache=True)
def _nb_horizontal(code: int, m: int, row: int, required: bool, target: int, h: int,
                   labels: np.ndarray, parity: np.ndarray) -> int:  # fmt: skip
    """Compiled :func:`_horizontal` on packed codes; ``-1`` when infeasible."""
    if _nb_decode(code, m, labels, parity):
        return code if h == 0 and labels[row] < 0 and not required else -1
    lab = labels[row]
    if h == 0:
        if lab < 0:
            return -1 if required else code
        if parity[row] != target:
            return -1
        labels[row] = -1
        parity[row] = 0
        shared = False
        touched = False
        for i in range(m):
            if labels[i] >= 0:
                touched = True
                if labels[i] == lab:
                    shared = True
        if shared:
            return _nb_canonical(m, labels, parity)
        return -1 if touched else _DONE_BIT
    if (parity[row] + h) % 2 != target:
        return -1
    if lab < 0:
        labels[row] = m
    parity[row] = h % 2
    return _nb_canonical(m, labels, parity)


@njit(cache=True)
def _nb_odd_components(m: int, labels: np.ndarray, parity: np.ndarray) -> int:
    odd = 0
    for i in range(m):
        if labels[i] >= 0 and parity[i]:
            odd ^= 1 << labels[i]
    n = 0
    while odd:
        n += odd & 1
        odd >>= 1
    return n


@njit(cache=True)
def _nb_enumerate(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first enumeration as in :func:`reference_automaton`, same order.

    Returns the state codes and the transitions as rows ``(kind, state, option, successor)``.
    """
    labels = np.empty(m, dtype=np.int64)
    parity = np.empty(m, dtype=np.int64)
    first_h = m - 1
    n_phases = 2 * m - 1
    index = Dict.empty(key_type=types.int64, value_type=types.int64)
    seen = Dict.empty(key_type=types.int64, value_type=types.boolean)
    codes = List()
    codes.append(0)
    index[0] = 0
    trans = List()
    q_state = List()
    q_phase = List()
    for ph in (0, first_h):
        seen[ph] = True
        q_state.append(0)
        q_phase.append(ph)
    moves = np.empty((12, 3), dtype=np.int64)  # (kind, option, successor code)
    head = 0
    while head < len(q_state):
        si = q_state[head]
        phase = q_phase[head]
        head += 1
        s = codes[si]
        n_moves = 0
        if phase < first_h:
            for o in range(N_OPTIONS):
                moves[n_moves, 0] = phase
                moves[n_moves, 1] = o
                moves[n_moves, 2] = _nb_vertical(s, m, phase, o, labels, parity)
                n_moves += 1
        else:
            row = phase - first_h
            for req in range(2):
                for tgt in range(2):
                    kind = m - 1 + 4 * row + 2 * req + tgt
                    for h in range(3):
                        moves[n_moves, 0] = kind
                        moves[n_moves, 1] = h
                        moves[n_moves, 2] = _nb_horizontal(
                            s, m, row, req == 1, tgt, h, labels, parity
                        )
                        n_moves += 1
        for r in range(n_moves):
            t = moves[r, 2]
            if t < 0:
                continue
            _nb_decode(t, m, labels, parity)
            if _nb_odd_components(m, labels, parity) > 2:
                continue
            if t in index:
                ti = index[t]
            else:
                ti = len(codes)
                index[t] = ti
                codes.append(t)
            trans.append((moves[r, 0], si, moves[r, 1], ti))
            if phase < n_phases - 1:
                nxt0 = phase + 1
                nxt1 = -1
            else:  # after the last row: a real column (vertical steps) or a virtual one
                nxt0 = 0
                nxt1 = first_h
            for nxt in (nxt0, nxt1):
                if nxt >= 0 and ti * n_phases + nxt not in seen:
                    seen[ti * n_phases + nxt] = True
                    q_state.append(ti)
                    q_phase.append(nxt)
    out_codes = np.empty(len(codes), dtype=np.int64)
    for i in range(len(codes)):
        out_codes[i] = codes[i]
    out_trans = np.empty((len(trans), 4), dtype=np.int64)
    for i in range(len(trans)):
        k, a, o, b = trans[i]
        out_trans[i, 0] = k
        out_trans[i, 1] = a
        out_trans[i, 2] = o
        out_trans[i, 3] = b
    return out_codes, out_trans


@cache
def build_automaton(n_rows: int) -> Automaton:
    """The frontier state machine for ``n_rows`` cross aisles (compiled enumeration, cached).

    Same states, order and tables as :func:`reference_automaton`; milliseconds up to four blocks,
    about a second for six.
    """
    if not 2 <= n_rows <= MAX_ROWS:
        raise ValueError(f"the exact router supports 2..{MAX_ROWS} cross aisles, got {n_rows}")
    codes, trans = _nb_enumerate(n_rows)
    next_state = np.full((n_kinds(n_rows), codes.size, N_OPTIONS), -1, dtype=np.int32)
    next_state[trans[:, 0], trans[:, 1], trans[:, 2]] = trans[:, 3]
    next_state.setflags(write=False)
    done = int(np.flatnonzero(codes == _DONE_BIT)[0])
    return Automaton(n_rows=n_rows, next_state=next_state, init=0, done=done, codes=codes)
