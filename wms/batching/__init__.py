"""Order batching: group orders into batches (pick lists) under a capacity, minimising walking.

>>> from wms.batching import batch, METHODS
>>> sorted(METHODS)
['fcfs', 'ils', 'savings', 'savings_static', 'seed', 'singles', 'sweep']

Every method has the signature ``method(problem, params, rng) -> Batching``
(:class:`~wms.batching.base.BatchFn`); :func:`batch` looks one up by name and runs it with a
seeded generator. ``ils`` (iterated local search from the savings solution) is the default.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wms.batching.base import BatchFn as BatchFn
from wms.batching.base import Batching as Batching
from wms.batching.base import BatchingParams as BatchingParams
from wms.batching.base import BatchingProblem as BatchingProblem
from wms.batching.base import BatchingRegistry
from wms.batching.construct import fcfs, savings, savings_static, seed
from wms.batching.search import ils
from wms.batching.singles import singles
from wms.batching.sweep import sweep

METHODS: BatchingRegistry = {
    "fcfs": fcfs,
    "seed": seed,
    "savings": savings,
    "savings_static": savings_static,
    "ils": ils,
    "singles": singles,
    "sweep": sweep,
}
"""Batching methods by name."""

DEFAULT_METHOD = "ils"


BatchMethod = Callable[[BatchingProblem, BatchingParams, np.random.Generator], Batching]
"""What :data:`METHODS` holds (every one satisfies :class:`~wms.batching.base.BatchFn`)."""


def get_method(name: str) -> BatchMethod:
    """The batching method called ``name``.

    Parameters
    ----------
    name
        A key of :data:`METHODS`.

    Returns
    -------
    BatchMethod
        The method.

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists the valid names.
    """
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(
            f"unknown batching method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
        ) from None


def batch(
    problem: BatchingProblem,
    method: str = DEFAULT_METHOD,
    params: BatchingParams | None = None,
    seed: int = 0,
) -> Batching:
    """Batch the orders of ``problem`` with the named method.

    Parameters
    ----------
    problem
        Orders, loads, capacity, layout and routing method.
    method
        A name of :data:`METHODS` (default ``"ils"``).
    params
        Budget and knobs (default :class:`BatchingParams()`).
    seed
        Seed of the random generator handed to the method: the same seed and an iteration
        budget (not the clock) as the binding limit give the same batching, bit for bit.

    Returns
    -------
    Batching
        Batches (sorted order indices, batches ordered by their first order) and route lengths.
    """
    fn = get_method(method)
    return fn(problem, params or BatchingParams(), np.random.default_rng(seed))
