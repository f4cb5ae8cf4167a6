"""Compiled kernels of the rectangular-warehouse routing heuristics (private).

Call them through :mod:`wms.routing.heuristics`, whose wrappers check the layout, the start and end
points and the pick lists; the definitions of the heuristics are written out there.

Conventions inside the kernels ("processing coordinates"):

* the cross aisle of the start and end is row 0; a start on the back cross aisle is served by
  mirroring y (``y -> C0 + Cm - y``: the caller mirrors the cross aisles, the kernel the picks);
* orientation ``o = 0`` keeps x, ``o = 1`` mirrors it (``x -> -x``, aisle ``i -> n - 1 - i``), so
  every heuristic is written once, "starting from the leftmost pick aisle", and evaluated in both
  mirror images: ``g.xp[o, i]`` is the x of processing aisle ``i``, ``g.amap[o, i]`` its index;
* one pass over a list's picks gives, per cell ``block * n + aisle``, the number of picks and the
  lowest and highest y: all that S-shape, return, combined and combined+ need. Midpoint keeps
  the same statistics per half cell (front and back half of the block). Largest gap also stores
  each cell's picks in a slot of the cell (no sorting: its split is found by a successor search),
  and a walk that records its route keeps the slots sorted by y (insertion on arrival). The code
  avoids unpredictable branches where it can: they, not arithmetic, bound the speed.

A walk adds up its length and, while recording is switched on (``w.st[1] == 1``), writes its
visits into ``w.rec``, one row per visit: ``(0, k, -1)`` for the k-th pick of the list,
``(1, aisle, row)`` for the corner of an aisle and a cross aisle, in original indices. Every leg
between two consecutive visits is a straight segment along one aisle or one cross aisle, so joining
the visits by shortest paths walks exactly the heuristic's route and both lengths agree.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
from numba import njit, prange

S_SHAPE = 0
RETURN = 1
MIDPOINT = 2
LARGEST_GAP = 3
COMBINED = 4
COMBINED_PLUS = 5

_PICK = 0
_CORNER = 1

#: Options of the per-list kernels: cached, and compiled without numba's reference counting (NRT).
#: They only index arrays they are given; with NRT every access to a member of the work-array
#: tuple costs an atomic increment and decrement, which made the walks about ten times slower.
_HOT: dict[str, Any] = {"cache": True, "_nrt": False}

#: Layout in processing coordinates: ``n`` aisles, ``m`` blocks, ``xp``/``amap`` (2, n) per
#: orientation, ``cyp`` cross-aisle y, ``flip`` (start on the back), ``c0cm`` = C0 + Cm,
#: ``xs``/``xe`` start and end x.
Geo = namedtuple("Geo", "n m xp amap cyp flip c0cm xs xe")

#: Work arrays of one thread. Per cell: ``cnt`` picks, lowest/highest y ``ylo``/``yhi``, the
#: split of a sub-aisle entered from both sides ``spl``/``sft``/``sbt``, the start ``cst`` of its
#: slot in ``ysrt``/``order`` (``cap`` picks per cell; sorted by y when recording). Per half
#: cell (front/back half of the block): ``cnt2``/``lo2``/``hi2``. Per aisle: ``sub`` ``chf``
#: ``chb`` ``side``. Per block: ``pred``. Recorded visits: ``rec``, its fill ``st[0]`` and the
#: recording switch ``st[1]``.
Work = namedtuple(
    "Work", "cnt ylo yhi spl sft sbt cst ysrt order cnt2 lo2 hi2 sub chf chb side pred rec st"
)


@njit(cache=True)
def make_work(n, m, max_picks, rec_rows):  # type: ignore[no-untyped-def]
    """Allocate the work arrays for lists of up to ``max_picks`` picks."""
    cells = n * m
    cap = max(max_picks, 1)
    return Work(
        np.empty(cells, np.int64), np.empty(cells, np.float64), np.empty(cells, np.float64),
        np.empty(cells, np.int64), np.empty(cells, np.float64), np.empty(cells, np.float64),
        np.arange(cells) * cap, np.empty(cells * cap, np.float64), np.empty(cells * cap, np.int64),
        np.empty(2 * cells, np.int64), np.empty(2 * cells, np.float64),
        np.empty(2 * cells, np.float64),
        np.empty(n, np.int64), np.empty(n, np.int8), np.empty(n, np.int8), np.empty(n, np.int8),
        np.empty((m, 3), np.int64), np.empty((rec_rows, 3), np.int64), np.zeros(2, np.int64),
    )  # fmt: skip


# -- recording visits ---------------------------------------------------------------------------
#
# Internal calls never pass constants: numba compiles a separate version of a function for every
# literal argument value, so flags and orientations are runtime values and recording is a switch
# in the work arrays. Every function below is compiled once.


@njit(inline="always", **_HOT)
def _corner(g, w, a, r):  # type: ignore[no-untyped-def]
    """Record the corner of original aisle ``a`` and processing row ``r``."""
    if w.st[1] != 0:
        t = w.st[0]
        w.rec[t, 0] = _CORNER
        w.rec[t, 1] = a
        w.rec[t, 2] = g.m - r if g.flip else r
        w.st[0] = t + 1


@njit(inline="always", **_HOT)
def _picks(w, lo, hi, ascending):  # type: ignore[no-untyped-def]
    """Record the picks ``w.order[lo:hi]`` (sorted by y) upwards or downwards."""
    if w.st[1] != 0:
        t = w.st[0]
        for q in range(lo, hi):
            w.rec[t, 0] = _PICK
            w.rec[t, 1] = w.order[q] if ascending else w.order[hi - 1 - (q - lo)]
            w.rec[t, 2] = -1
            t += 1
        w.st[0] = t


@njit(inline="always", **_HOT)
def _cell_picks(w, c, ascending):  # type: ignore[no-untyped-def]
    _picks(w, w.cst[c], w.cst[c] + w.cnt[c], ascending)


# -- bucketing ----------------------------------------------------------------------------------


@njit(**_HOT)
def _scan(g, w, pick_aisle, pick_y, lo, hi):  # type: ignore[no-untyped-def]
    """One pass over picks ``lo:hi``: count, lowest and highest y per cell.

    Returns ``(lowest aisle, highest aisle, farthest block)`` with picks (processing rows).
    """
    n = g.n
    m = g.m
    cyp = g.cyp
    cnt = w.cnt
    ylo = w.ylo
    yhi = w.yhi
    for c in range(n * m):
        cnt[c] = 0
        ylo[c] = np.inf
        yhi[c] = -np.inf
    amin = n
    amax = -1
    bmax = 0
    for j in range(lo, hi):
        a = pick_aisle[j]
        y = g.c0cm - pick_y[j] if g.flip else pick_y[j]
        b = 0
        while b < m - 1 and y > cyp[b + 1]:
            b += 1
        c = b * n + a
        cnt[c] += 1
        ylo[c] = min(ylo[c], y)
        yhi[c] = max(yhi[c], y)
        amin = min(amin, a)
        amax = max(amax, a)
        bmax = max(bmax, b)
    return amin, amax, bmax


@njit(**_HOT)
def _scan_mid(g, w, pick_aisle, pick_y, lo, hi):  # type: ignore[no-untyped-def]
    """As :func:`_scan`, per half cell (front/back half of the block), then the midpoint split of
    every cell: ``spl`` picks at or below the middle of the block are taken from the front, up to
    y ``sft`` (the front cross aisle if none), the others from the back, down to y ``sbt``."""
    n = g.n
    m = g.m
    cyp = g.cyp
    cnt2 = w.cnt2
    lo2 = w.lo2
    hi2 = w.hi2
    for c in range(2 * n * m):
        cnt2[c] = 0
        lo2[c] = np.inf
        hi2[c] = -np.inf
    amin = n
    amax = -1
    bmax = 0
    for j in range(lo, hi):
        a = pick_aisle[j]
        y = g.c0cm - pick_y[j] if g.flip else pick_y[j]
        b = 0
        while b < m - 1 and y > cyp[b + 1]:
            b += 1
        c = 2 * (b * n + a) + (1 if y > 0.5 * (cyp[b] + cyp[b + 1]) else 0)
        cnt2[c] += 1
        lo2[c] = min(lo2[c], y)
        hi2[c] = max(hi2[c], y)
        amin = min(amin, a)
        amax = max(amax, a)
        bmax = max(bmax, b)
    for b in range(m):
        for c in range(b * n, b * n + n):
            f = 2 * c
            w.cnt[c] = cnt2[f] + cnt2[f + 1]
            w.ylo[c] = min(lo2[f], lo2[f + 1])
            w.yhi[c] = max(hi2[f], hi2[f + 1])
            w.spl[c] = cnt2[f]
            w.sft[c] = max(hi2[f], cyp[b])
            w.sbt[c] = min(lo2[f + 1], cyp[b + 1])
    return amin, amax, bmax


@njit(**_HOT)
def _scan_slots(g, w, pick_aisle, pick_y, lo, hi, keep_order):  # type: ignore[no-untyped-def]
    """As :func:`_scan`, also storing every cell's picks in its slot of ``ysrt``. With
    ``keep_order`` the slot is kept sorted by y (insertion on arrival: a cell holds a few picks)
    together with the picks' list positions in ``order``."""
    n = g.n
    m = g.m
    cyp = g.cyp
    cnt = w.cnt
    ylo = w.ylo
    yhi = w.yhi
    cst = w.cst
    ysrt = w.ysrt
    order = w.order
    for c in range(n * m):
        cnt[c] = 0
        ylo[c] = np.inf
        yhi[c] = -np.inf
    amin = n
    amax = -1
    bmax = 0
    for j in range(lo, hi):
        a = pick_aisle[j]
        y = g.c0cm - pick_y[j] if g.flip else pick_y[j]
        b = 0
        while b < m - 1 and y > cyp[b + 1]:
            b += 1
        c = b * n + a
        c0 = cst[c]
        q = c0 + cnt[c]
        cnt[c] += 1
        ylo[c] = min(ylo[c], y)
        yhi[c] = max(yhi[c], y)
        if keep_order:
            while q > c0 and ysrt[q - 1] > y:
                ysrt[q] = ysrt[q - 1]
                order[q] = order[q - 1]
                q -= 1
            order[q] = j - lo
        ysrt[q] = y
        amin = min(amin, a)
        amax = max(amax, a)
        bmax = max(bmax, b)
    return amin, amax, bmax


@njit(**_HOT)
def _splits(g, w, method):  # type: ignore[no-untyped-def]
    """Split of every cell with picks (after :func:`_scan_slots`; the slots need not be sorted)
    for a sub-aisle entered from both cross aisles of its block: its ``spl`` lowest picks are
    taken from the front, up to y ``sft`` (the front cross aisle if none), the others from the
    back, down to y ``sbt`` (the back cross aisle if none).

    Largest gap leaves out the largest of the gaps front-first pick, pick-next pick, last
    pick-back (on a tie the gap nearest the back), found by a successor search that needs no
    sorting: a cell holds a few picks. Midpoint takes the picks at or below the middle of the
    block from the front.
    """
    n = g.n
    cyp = g.cyp
    cnt = w.cnt
    ys = w.ysrt
    for b in range(g.m):
        cf = cyp[b]
        cb = cyp[b + 1]
        mid = 0.5 * (cf + cb)
        for c in range(b * n, b * n + n):
            cn = cnt[c]
            if cn == 0:
                continue
            c0 = w.cst[c]
            s = 0
            if method == MIDPOINT:
                top = cf
                bottom = cb
                for t in range(c0, c0 + cn):
                    y = ys[t]
                    s += 1 if y <= mid else 0
                    top = max(top, y if y <= mid else cf)
                    bottom = min(bottom, cb if y <= mid else y)
            elif cn <= 2:  # closed form: gaps lo - cf, hi - lo (two picks), cb - hi
                lo_y = w.ylo[c]
                hi_y = w.yhi[c]
                g0 = lo_y - cf
                g1 = hi_y - lo_y if cn == 2 else -1.0
                g2 = cb - hi_y
                if g2 >= g1 and g2 >= g0:  # ties: the gap nearest the back
                    s = cn
                    top = hi_y
                    bottom = cb
                elif g1 >= g0:
                    s = 1
                    top = lo_y
                    bottom = hi_y
                else:
                    top = cf
                    bottom = lo_y
            else:
                # the gap below the lowest pick (lower end: the front cross aisle) ...
                best = w.ylo[c] - cf
                top = cf
                bottom = w.ylo[c]
                # ... against the gap above every pick (to the next higher pick or the back)
                for t in range(c0, c0 + cn):
                    y = ys[t]
                    succ = cb
                    for u in range(c0, c0 + cn):
                        z = ys[u]
                        succ = min(succ, z if z > y else cb)
                    gap = succ - y
                    take = (gap > best) | ((gap == best) & (y > top))
                    best = gap if take else best
                    top = y if take else top
                    bottom = succ if take else bottom
                for t in range(c0, c0 + cn):
                    s += 1 if ys[t] <= top else 0
            w.spl[c] = s
            w.sft[c] = top
            w.sbt[c] = bottom


@njit(**_HOT)
def _subs(g, w, o, b, F, u):  # type: ignore[no-untyped-def]
    """Fill ``w.sub`` with the processing indices of block ``b``'s sub-aisles with picks, left to
    right, and return their number. Below the farthest block ``F`` the ascent aisle ``u`` is left
    out: its picks there were taken on the way up."""
    k = 0
    base = b * g.n
    excl = u if b < F else -1
    cnt = w.cnt
    sub = w.sub
    amap = g.amap
    for i in range(g.n):
        if i != excl and cnt[base + amap[o, i]] > 0:
            sub[k] = i
            k += 1
    return k


# -- shared pieces of the block-by-block walks --------------------------------------------------


@njit(**_HOT)
def _ascent(g, w, o, u, F, xsp):  # type: ignore[no-untyped-def]
    """Walk from the start to the depot end of aisle ``u`` and up it to the front cross aisle of
    the farthest block ``F``, picking the aisle's items in the blocks passed on the way."""
    a = g.amap[o, u]
    _corner(g, w, a, 0)
    for b in range(F):
        _cell_picks(w, b * g.n + a, True)
    if F > 0:
        _corner(g, w, a, F)
    return abs(xsp - g.xp[o, u]) + (g.cyp[F] - g.cyp[0])


@njit(**_HOT)
def _block_sshape(g, w, o, b, k, fwd, front):  # type: ignore[no-untyped-def]
    """S-shape inside block ``b``: traverse every sub-aisle, alternately; the last one is a return
    from the front cross aisle when the picker stands there. Returns the walk along the aisles."""
    cf = g.cyp[b]
    h = g.cyp[b + 1] - cf
    base = b * g.n
    v = 0.0
    for j in range(k):
        a = g.amap[o, w.sub[j] if fwd else w.sub[k - 1 - j]]
        c = base + a
        _corner(g, w, a, b if front else b + 1)
        if j == k - 1 and front:
            v += 2.0 * (w.yhi[c] - cf)
            _cell_picks(w, c, True)
            _corner(g, w, a, b)
        else:
            v += h
            _cell_picks(w, c, front)
            front = not front
            _corner(g, w, a, b if front else b + 1)
    return v


@njit(**_HOT)
def _block_dp(g, w, o, b, k, fwd, front):  # type: ignore[no-untyped-def]
    """Combined inside block ``b``: each sub-aisle is traversed or entered and left on the same
    side, chosen by dynamic programming over the side the picker is on (Roodbergen & de Koster
    2001a); the picker enters on the front (``front``) or the back and leaves at the front.
    Returns the walk along the aisles."""
    cf = g.cyp[b]
    cb = g.cyp[b + 1]
    h = cb - cf
    base = b * g.n
    f = 0.0 if front else np.inf
    bk = np.inf if front else 0.0
    for j in range(k):
        c = base + g.amap[o, w.sub[j] if fwd else w.sub[k - 1 - j]]
        rf = f + 2.0 * (w.yhi[c] - cf)
        tf = bk + h
        rb = bk + 2.0 * (cb - w.ylo[c])
        tb = f + h
        w.chf[j] = 0 if rf <= tf else 1
        w.chb[j] = 0 if rb <= tb else 1
        f = min(rf, tf)
        bk = min(rb, tb)
    if w.st[1] != 0:
        s = 0  # the side after the last sub-aisle: the front
        for j in range(k - 1, -1, -1):
            w.side[j] = s
            if (w.chf[j] if s == 0 else w.chb[j]) == 1:
                s = 1 - s
        s = 0 if front else 1
        for j in range(k):
            a = g.amap[o, w.sub[j] if fwd else w.sub[k - 1 - j]]
            _corner(g, w, a, b + s)
            _cell_picks(w, base + a, s == 0)
            s = w.side[j]
            _corner(g, w, a, b + s)
    return f


# -- the walks ----------------------------------------------------------------------------------


@njit(**_HOT)
def _walk_return(g, w, o, xsp, xep):  # type: ignore[no-untyped-def]
    """Return: every aisle with picks is entered from the depot's cross aisle up to its farthest
    pick (through all blocks) and left the same way, from the left to the right."""
    n = g.n
    amap = g.amap
    xp = g.xp
    cnt = w.cnt
    yhi = w.yhi
    y0 = g.cyp[0]
    length = 0.0
    prev = xsp
    for i in range(n):
        a = amap[o, i]
        top = -1
        for b in range(g.m - 1, -1, -1):
            if cnt[b * n + a] > 0:
                top = b
                break
        if top < 0:
            continue
        x = xp[o, i]
        length += abs(prev - x) + 2.0 * (yhi[top * n + a] - y0)
        if w.st[1] != 0:
            _corner(g, w, a, 0)
            for b in range(top + 1):
                _cell_picks(w, b * n + a, True)
            _corner(g, w, a, 0)
        prev = x
    return length + abs(prev - xep)


@njit(**_HOT)
def _walk_sweep(method, g, w, o, Lp, F, xsp, xep):  # type: ignore[no-untyped-def]
    """S-shape and combined, block by block (Roodbergen & de Koster 2001b)."""
    xp = g.xp
    length = _ascent(g, w, o, Lp, F, xsp)
    cur = Lp
    for b in range(F, -1, -1):
        k = _subs(g, w, o, b, F, Lp)
        if k == 0:
            length += g.cyp[b + 1] - g.cyp[b]
            _corner(g, w, g.amap[o, cur], b)
            continue
        i1 = w.sub[0]
        ik = w.sub[k - 1]
        xc = xp[o, cur]
        x1 = xp[o, i1]
        xk = xp[o, ik]
        fwd = abs(xc - x1) <= abs(xc - xk)
        length += abs(xc - (x1 if fwd else xk)) + (xk - x1)
        if method == COMBINED:
            length += _block_dp(g, w, o, b, k, fwd, b == F)
        else:
            length += _block_sshape(g, w, o, b, k, fwd, b == F)
        cur = ik if fwd else i1
    return length + abs(xp[o, cur] - xep)


@njit(**_HOT)
def _walk_gap(g, w, o, Lp, F, xsp, xep):  # type: ignore[no-untyped-def]
    """Largest gap and midpoint, block by block (Roodbergen & de Koster 2001b); the split of each
    cell is in ``w.spl``, ``w.sft``, ``w.sbt``."""
    amap = g.amap
    xp = g.xp
    cnt = w.cnt
    sub = w.sub
    spl = w.spl
    sft = w.sft
    sbt = w.sbt
    length = _ascent(g, w, o, Lp, F, xsp)
    cur = Lp
    for b in range(F, -1, -1):
        k = _subs(g, w, o, b, F, Lp)
        cf = g.cyp[b]
        cb = g.cyp[b + 1]
        h = cb - cf
        base = b * g.n
        if k == 0:
            length += h
            _corner(g, w, amap[o, cur], b)
            continue
        i1 = sub[0]
        ik = sub[k - 1]
        xc = xp[o, cur]
        fwd = abs(xc - xp[o, i1]) <= abs(xc - xp[o, ik])
        first = i1 if fwd else ik
        last = ik if fwd else i1
        if k == 1:
            a = amap[o, first]
            c = base + a
            length += abs(xc - xp[o, first])
            if b == F:  # the only sub-aisle of the farthest block: a return from its front
                length += 2.0 * (w.yhi[c] - cf)
                _corner(g, w, a, b)
                _cell_picks(w, c, True)
            else:  # the one sub-aisle of a nearer block is traversed
                length += h
                _corner(g, w, a, b + 1)
                _cell_picks(w, c, False)
            _corner(g, w, a, b)
            cur = first
            continue
        jlo = 0
        if b == F:  # entered from the front: traverse the first sub-aisle to the back
            a = amap[o, first]
            length += abs(xc - xp[o, first]) + h
            _corner(g, w, a, b)
            _cell_picks(w, base + a, True)
            _corner(g, w, a, b + 1)
            xc = xp[o, first]
            jlo = 1
        jhi = k - 1
        # Along the back cross aisle the picker goes from where he stands to the farthest back
        # part on the first side, then to the last sub-aisle; after traversing it, along the front
        # cross aisle to the front part farthest from it. Written without branches on the data.
        xl = xp[o, last]
        far = xc
        end_x = xl
        end_i = last
        vert = h
        for j in range(jlo, jhi):
            i = sub[j] if fwd else sub[k - 1 - j]
            c = base + amap[o, i]
            x = xp[o, i]
            s = spl[c]
            vert += 2.0 * (cb - sbt[c]) + 2.0 * (sft[c] - cf)
            back = s < cnt[c]
            front = s > 0
            if fwd:
                far = min(far, x if back else far)
                take = front & (x < end_x)
            else:
                far = max(far, x if back else far)
                take = front & (x > end_x)
            end_x = x if take else end_x
            end_i = i if take else end_i
        length += abs(xc - far) + abs(xl - far) + vert + abs(xl - end_x)
        cur = end_i
        if w.st[1] != 0:
            for j in range(jlo, jhi):
                a = amap[o, sub[j] if fwd else sub[k - 1 - j]]
                c = base + a
                if spl[c] < cnt[c]:
                    _corner(g, w, a, b + 1)
                    _picks(w, w.cst[c] + spl[c], w.cst[c] + cnt[c], False)
                    _corner(g, w, a, b + 1)
            a = amap[o, last]
            _corner(g, w, a, b + 1)
            _cell_picks(w, base + a, False)
            _corner(g, w, a, b)
            for j in range(jhi - 1, jlo - 1, -1):
                a = amap[o, sub[j] if fwd else sub[k - 1 - j]]
                c = base + a
                if spl[c] > 0:
                    _corner(g, w, a, b)
                    _picks(w, w.cst[c], w.cst[c] + spl[c], True)
                    _corner(g, w, a, b)
    return length + abs(xp[o, cur] - xep)


@njit(**_HOT)
def _cplus_u(g, w, o, F, u):  # type: ignore[no-untyped-def]
    """Combined+ for ascent aisle ``u`` (``u < 0``: the farthest block is block 0, no ascent).

    Dynamic programming over the blocks, farthest first; the state after a block is the end of
    its sweep (0: swept left to right, ending at its rightmost sub-aisle; 1: right to left).
    With recording on, the best walk is then replayed.
    """
    X = g.xp[o]
    xsp = g.xs if o == 0 else -g.xs
    xep = g.xe if o == 0 else -g.xe
    recording = w.st[1]
    w.st[1] = 0
    if u < 0:
        entry = xsp
        c0 = 0.0
    else:
        entry = X[u]
        c0 = abs(xsp - X[u]) + (g.cyp[F] - g.cyp[0])
    c1 = c0
    p0 = 0
    p1 = 0
    for b in range(F, -1, -1):
        k = _subs(g, w, o, b, F, u)
        top = b == F
        if k == 0:  # below F only: cross the block straight down
            h = g.cyp[b + 1] - g.cyp[b]
            c0 += h
            c1 += h
            w.pred[b, 0] = 0
            w.pred[b, 1] = 1
            continue
        i1 = w.sub[0]
        ik = w.sub[k - 1]
        span = X[ik] - X[i1]
        n0 = 0.0
        n1 = 0.0
        for d in range(2):
            fwd = d == 0
            xf = X[i1] if fwd else X[ik]
            if top:
                x0 = c0 + abs(entry - xf)
                x1 = x0
            else:
                x0 = c0 + abs(X[p0] - xf)
                x1 = c1 + abs(X[p1] - xf)
            w.pred[b, d] = 0 if x0 <= x1 else 1
            v = min(x0, x1) + span + _block_dp(g, w, o, b, k, fwd, top)
            if fwd:
                n0 = v
            else:
                n1 = v
        c0 = n0
        c1 = n1
        p0 = ik
        p1 = i1
    e0 = c0 + abs(X[p0] - xep)
    e1 = c1 + abs(X[p1] - xep)
    w.st[1] = recording
    if recording != 0:
        w.pred[0, 2] = 0 if e0 <= e1 else 1
        for b in range(F):
            w.pred[b + 1, 2] = w.pred[b, w.pred[b, 2]]
        cur = u
        if u >= 0:
            _ascent(g, w, o, u, F, xsp)
        for b in range(F, -1, -1):
            k = _subs(g, w, o, b, F, u)
            if k == 0:
                _corner(g, w, g.amap[o, cur], b)
                continue
            fwd = w.pred[b, 2] == 0
            _block_dp(g, w, o, b, k, fwd, b == F)
            cur = w.sub[k - 1] if fwd else w.sub[0]
    return min(e0, e1)


@njit(**_HOT)
def _cplus(g, w, o, F):  # type: ignore[no-untyped-def]
    """Combined+: :func:`_cplus_u` for the best ascent aisle (any aisle; ties: the leftmost)."""
    recording = w.st[1]
    w.st[1] = 0
    best = np.inf
    bu = F - 1  # F = 0: no ascent (u = -1)
    if F == 0:
        best = _cplus_u(g, w, o, F, bu)
    else:
        xsp = g.xs if o == 0 else -g.xs
        climb = g.cyp[F] - g.cyp[0]
        for u in range(g.n):
            if abs(xsp - g.xp[o, u]) + climb >= best:
                continue
            v = _cplus_u(g, w, o, F, u)
            if v < best:
                best = v
                bu = u
    w.st[1] = recording
    if recording != 0:
        _cplus_u(g, w, o, F, bu)
    return best


@njit(**_HOT)
def _walk(method, g, w, o, amin, amax, F):  # type: ignore[no-untyped-def]
    """The heuristic's walk in orientation ``o``; returns its length without spurs."""
    xsp = g.xs if o == 0 else -g.xs
    xep = g.xe if o == 0 else -g.xe
    Lp = amin if o == 0 else g.n - 1 - amax
    if method == RETURN:
        return _walk_return(g, w, o, xsp, xep)
    if method in (MIDPOINT, LARGEST_GAP):
        return _walk_gap(g, w, o, Lp, F, xsp, xep)
    if method == COMBINED_PLUS:
        return _cplus(g, w, o, F)
    return _walk_sweep(method, g, w, o, Lp, F, xsp, xep)


@njit(**_HOT)
def _one(method, g, w, pick_aisle, pick_y, lo, hi):  # type: ignore[no-untyped-def]
    """Length (without the start/end spurs) of the heuristic's walk for picks ``lo:hi``; the walk
    is recorded when ``w.rec`` has rows.

    Every heuristic but combined+ is evaluated in both orientations (mirror images) and the
    shorter walk is kept (ties: as written); combined+ chooses its directions itself.
    """
    if hi == lo:
        return abs(g.xs - g.xe)
    record = w.rec.shape[0] > 0
    if record or method == LARGEST_GAP:
        amin, amax, F = _scan_slots(g, w, pick_aisle, pick_y, lo, hi, record)
        if method in (LARGEST_GAP, MIDPOINT):
            _splits(g, w, method)
    elif method == MIDPOINT:
        amin, amax, F = _scan_mid(g, w, pick_aisle, pick_y, lo, hi)
    else:
        amin, amax, F = _scan(g, w, pick_aisle, pick_y, lo, hi)
    w.st[1] = 0
    best = np.inf
    bo = hi - hi  # orientation 0, typed int64 rather than a literal (see "recording visits")
    for o in range(1 if method == COMBINED_PLUS else 2):
        v = _walk(method, g, w, o, amin, amax, F)
        if v < best:
            best = v
            bo = o
    if record:
        w.st[1] = 1
        _walk(method, g, w, bo, amin, amax, F)
        w.st[1] = 0
    return best


# -- entry points -------------------------------------------------------------------------------

_CHUNK = 256


@njit(cache=True, parallel=True)
def batch_lengths(  # type: ignore[no-untyped-def]
    method, g, indptr, pick_aisle, pick_y, spurs, out
):
    """Fill ``out[k]`` with the route length of pick list ``k`` (CSR ``indptr``), spurs included.

    Lists are processed in parallel chunks of ``_CHUNK`` lists, each with its own work arrays.
    """
    N = out.shape[0]
    maxp = 0
    if method == LARGEST_GAP:  # the only batch walk that stores the picks of a cell
        for li in range(N):
            maxp = max(maxp, indptr[li + 1] - indptr[li])
    n_chunks = (N + _CHUNK - 1) // _CHUNK
    for ch in prange(n_chunks):
        w = make_work(g.n, g.m, maxp, 0)
        for li in range(ch * _CHUNK, min(N, (ch + 1) * _CHUNK)):
            out[li] = spurs + _one(method, g, w, pick_aisle, pick_y, indptr[li], indptr[li + 1])


@njit(cache=True)
def batch_lengths_serial(  # type: ignore[no-untyped-def]
    method, g, indptr, pick_aisle, pick_y, spurs, out
):
    """Serial twin of :func:`batch_lengths` for small batches, where starting threads costs more
    than the routing itself (a call with a few lists is ~100x slower through the thread pool)."""
    N = out.shape[0]
    maxp = 0
    if method == LARGEST_GAP:
        for li in range(N):
            maxp = max(maxp, indptr[li + 1] - indptr[li])
    w = make_work(g.n, g.m, maxp, 0)
    for li in range(N):
        out[li] = spurs + _one(method, g, w, pick_aisle, pick_y, indptr[li], indptr[li + 1])


@njit(cache=True)
def route_visits(method, g, pick_aisle, pick_y):  # type: ignore[no-untyped-def]
    """Length (without spurs) and visits ``(kind, a, b)`` of one pick list's heuristic walk."""
    k = pick_aisle.shape[0]
    bounds = np.array([0, k])
    w = make_work(g.n, g.m, k, k + g.m * (4 * g.n + 8) + 16)
    length = _one(method, g, w, pick_aisle, pick_y, bounds[0], bounds[1])
    return length, w.rec[: w.st[0]].copy()
