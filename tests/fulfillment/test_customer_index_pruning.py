"""The pruned :meth:`CustomerIndex.best_match` against brute force: the same customer, the same score.

``best_match`` skips the customers that cannot reach the threshold (exact identifiers looked up,
the heaviest field scored first with a cutoff, the others only for the survivors). Pruning must be
lossless, so every answer is compared with two references: the argmax of
:func:`customer_similarity` over the customers (the slow, obviously right one) and the argmax of
:meth:`CustomerIndex.scores` (today's algorithm, bit for bit). The generated customers are built to
be near-duplicates of each other: shared names with typos and diacritics, e-mails differing in
case, dots or ``+tags``, phones with and without ``+48``, missing fields.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from unittest import mock

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from wms.fulfillment import holds
from wms.fulfillment.holds import (
    CustomerIndex,
    DuplicateCustomerParams,
    KnownCustomer,
    customer_similarity,
    normalize_name,
)
from wms.fulfillment.intake import Address, Customer

Match = tuple[KnownCustomer, float] | None
#: Customers, how many of them the constructor gets, parameters, buyers with their exclusions.
Case = tuple[
    list[KnownCustomer], int, DuplicateCustomerParams, list[tuple[KnownCustomer, set[str]]]
]

_FIRST = ["Jan", "Janusz", "Anna", "Ania", "Łukasz", "Lukasz", "Małgorzata", "Zofia", "Żaneta"]
_LAST = ["Kowalski", "Kowalska", "Wiśniewski", "Wisniewski", "Nowak", "Dąbrowski", "Szczęsny"]
_DOMAINS = ["gmail.com", "googlemail.com", "wp.pl", "onet.pl"]
_PHONES = ["600100200", "600100201", "601222333", "501987654"]
_STREETS = ["Polna", "Lipowa", "Łąkowa", "Kościuszki", "ul. Długa"]
_CITIES = ["Poznań", "Poznan", "Kraków", "Łódź", "Lodz"]


# -- references -------------------------------------------------------------------------------


def reference_best(
    known: Sequence[KnownCustomer],
    customer: Customer,
    address: Address,
    params: DuplicateCustomerParams,
    exclude: Iterable[str],
) -> Match:
    """Brute force: the argmax of :func:`customer_similarity` (first on ties), or ``None``."""
    skip = set(exclude)
    best: Match = None
    for k in known:
        if k.customer_id in skip:
            continue
        score = customer_similarity(customer, address, k, params)[0]
        if score >= params.threshold and (best is None or score > best[1]):
            best = (k, score)
    return best


def full_scoring_best(
    index: CustomerIndex,
    customer: Customer,
    address: Address,
    params: DuplicateCustomerParams,
    exclude: Iterable[str],
) -> Match:
    """The unpruned algorithm: every score with :meth:`CustomerIndex.scores`, then the argmax."""
    scores = index.scores(customer, address, params)
    skip = set(exclude)
    for k, known in enumerate(index.customers):
        if known.customer_id in skip:
            scores[k] = -1.0
    if scores.size == 0:
        return None
    k = int(np.argmax(scores))
    if scores[k] < params.threshold:
        return None
    return index.customers[k], float(scores[k])


# -- near-duplicate customers -----------------------------------------------------------------


@st.composite
def typo(draw: st.DrawFn, text: str) -> str:
    """``text`` with one character deleted, replaced or inserted (or unchanged)."""
    kind = draw(st.sampled_from(["none", "delete", "replace", "insert", "upper"]))
    if kind == "none" or not text:
        return text
    at = draw(st.integers(0, len(text) - 1))
    letter = draw(st.sampled_from("aąeęlłoósśzżx"))
    if kind == "delete":
        return text[:at] + text[at + 1 :]
    if kind == "replace":
        return text[:at] + letter + text[at + 1 :]
    if kind == "insert":
        return text[:at] + letter + text[at:]
    return text.upper()


@st.composite
def emails(draw: st.DrawFn, first: str, last: str) -> str | None:
    """An e-mail of the person, in one of the spellings that normalise alike (or not)."""
    if draw(st.integers(0, 4)) == 0:
        return None
    local = draw(st.sampled_from([f"{first}.{last}", f"{first}{last}", last, f"{first[0]}{last}"]))
    local = local.casefold()
    if draw(st.booleans()):
        local += draw(st.sampled_from(["+shop", "+1", "1", "x"]))
    mail = f"{local}@{draw(st.sampled_from(_DOMAINS))}"
    return mail.upper() if draw(st.booleans()) else mail


@st.composite
def phones(draw: st.DrawFn) -> str | None:
    """A phone number, national or international, spaced or not."""
    if draw(st.integers(0, 4)) == 0:
        return None
    digits = draw(st.sampled_from(_PHONES))
    spaced = f"{digits[:3]} {digits[3:6]} {digits[6:]}" if draw(st.booleans()) else digits
    return draw(st.sampled_from(["", "+48 ", "0048", "+48", "0"])) + spaced


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    """A Polish address, some parts missing."""

    def part(value: str) -> str | None:
        return value if draw(st.integers(0, 3)) else None

    street = f"{draw(st.sampled_from(_STREETS))} {draw(st.integers(1, 4))}"
    return Address(
        part(draw(typo(street))),
        part(draw(st.sampled_from(_CITIES))),
        part(draw(st.sampled_from(["60-001", "60-010", "30-001"]))),
        part("PL"),
    )


@st.composite
def people(draw: st.DrawFn, customer_id: str) -> KnownCustomer:
    """A customer built from shared parts, so that many are near-duplicates of each other."""
    first, last = draw(st.sampled_from(_FIRST)), draw(st.sampled_from(_LAST))
    name = draw(
        st.sampled_from([f"{first} {last}", f"{last} {first}", f"{first[0]}. {last}", last])
    )
    return KnownCustomer(
        customer_id,
        draw(typo(name)) if draw(st.integers(0, 5)) else None,
        draw(emails(first, last)),
        draw(phones()),
        draw(addresses()),
        draw(st.sampled_from(["shop", "allegro", None])),
    )


@st.composite
def params_(draw: st.DrawFn) -> DuplicateCustomerParams:
    """Thresholds from 0 to 100, weights with zeros and missing fields, any ``min_fields``."""
    weights = {
        f: draw(st.sampled_from([0.0, 0.05, 0.15, 0.2, 0.3, 0.35, 1.0, 2.5]))
        for f in ("name", "email", "phone", "address")
        if draw(st.integers(0, 5))
    }
    threshold = draw(
        st.one_of(
            st.sampled_from([0.0, 50.0, 80.0, 90.0, 95.0, 100.0]),
            st.floats(0, 100).map(lambda t: round(t, 2)),
        )
    )
    return DuplicateCustomerParams(
        threshold=threshold,
        weights=weights,
        min_fields=draw(st.integers(1, 4)),
        exact_identifiers=draw(st.sampled_from([[], ["email"], ["phone"], ["email", "phone"]])),
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Customers (ids from a small pool: some repeat), how many the constructor gets (the rest
    are added), parameters, and buyers with the ids to exclude."""
    n = draw(st.integers(0, 16))
    known = [draw(people(f"C-{draw(st.integers(0, 30))}")) for _ in range(n)]
    initial = draw(st.integers(0, n))
    buyers = []
    for _ in range(draw(st.integers(1, 3))):
        near = draw(st.booleans())
        if known and near:
            base = draw(st.sampled_from(known))
            buyer = KnownCustomer(
                "buyer",
                draw(typo(base.name)) if base.name else None,
                base.email if draw(st.booleans()) else draw(emails("Jan", "Kowalski")),
                base.phone if draw(st.booleans()) else draw(phones()),
                base.address if draw(st.booleans()) else draw(addresses()),
            )
        else:
            buyer = draw(people("buyer"))
        ids = [k.customer_id for k in known]
        exclude = set(draw(st.lists(st.sampled_from(ids), max_size=3))) if ids else set()
        buyers.append((buyer, exclude))
    return known, initial, draw(params_()), buyers


def build(
    known: Sequence[KnownCustomer], initial: int, params: DuplicateCustomerParams
) -> CustomerIndex:
    """An index of ``known[:initial]`` with the others added one by one."""
    index = CustomerIndex(known[:initial], params)
    for k in known[initial:]:
        index.add(k)
    return index


# -- properties -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(cases())
def test_best_match_equals_brute_force(case: Case) -> None:
    known, initial, params, buyers = case
    # copy values together after a handful of additions, to cover the copied and the fresh ones
    with mock.patch.object(holds, "_COMPACT_MIN", 3):
        index = build(known, initial, params)
        for buyer, exclude in buyers:
            customer = Customer(buyer.name, buyer.email, buyer.phone)
            got = index.best_match(customer, buyer.address, params, exclude=exclude)
            assert got == full_scoring_best(index, customer, buyer.address, params, exclude)
            assert got == reference_best(known, customer, buyer.address, params, exclude)
            if got is not None:
                assert type(got[1]) is float
            event("no match" if got is None else "100" if got[1] == 100 else "fuzzy match")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), st.text(max_size=30))
def test_token_sort_ratio_is_ratio_of_sorted_tokens(a: str, b: str) -> None:
    """What the index relies on to sort the tokens of names and addresses once."""
    x, y = normalize_name(a), normalize_name(b)
    sort = holds._sorted_tokens
    assert fuzz.token_sort_ratio(x, y) == fuzz.ratio(sort(x), sort(y))


def test_many_customers_and_additions_against_full_scoring() -> None:
    """Whole-column passes, sub-lists and copied values on a larger index growing between orders."""
    rng = random.Random(20261122)

    def person(k: int) -> KnownCustomer:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        digits = rng.choice(_PHONES)[:-2] + f"{rng.randrange(100):02d}"
        return KnownCustomer(
            f"C-{k}",
            f"{first} {last}" if rng.random() < 0.95 else None,
            f"{first}.{last}{rng.randrange(50)}@{rng.choice(_DOMAINS)}".casefold()
            if rng.random() < 0.9
            else None,
            rng.choice(["+48 ", "", "0"]) + digits if rng.random() < 0.8 else None,
            Address(
                f"{rng.choice(_STREETS)} {rng.randrange(1, 30)}",
                rng.choice(_CITIES),
                "60-001",
                "PL",
            )
            if rng.random() < 0.9
            else Address(),
        )

    index = CustomerIndex((person(k) for k in range(1500)), DuplicateCustomerParams())
    found = 0
    for k in range(300):
        buyer = person(-k) if k % 3 else index.customers[rng.randrange(len(index))]
        params = DuplicateCustomerParams(
            threshold=rng.choice([70.0, 85.0, 90.0, 100.0]),
            min_fields=rng.randint(1, 3),
            exact_identifiers=rng.choice([[], ["email"], ["email", "phone"]]),
        )
        customer = Customer(buyer.name, buyer.email, buyer.phone)
        exclude = {f"C-{rng.randrange(len(index))}"}
        got = index.best_match(customer, buyer.address, params, exclude=exclude)
        assert got == full_scoring_best(index, customer, buyer.address, params, exclude)
        found += got is not None
        if k % 2:
            index.add(person(len(index)))
    assert 30 < found < 300


# -- hand-made cases --------------------------------------------------------------------------

HOME = Address("Polna 1", "Poznań", "60-001", "PL")
JAN = Customer("Jan Kowalski", "jan.kowalski@gmail.com", "600 100 200")


def best(
    known: Sequence[KnownCustomer],
    params: DuplicateCustomerParams,
    *,
    customer: Customer = JAN,
    address: Address = HOME,
    exclude: Iterable[str] = (),
) -> Match:
    """``best_match`` of a fresh index, checked against the brute-force reference."""
    got = CustomerIndex(known, params).best_match(customer, address, params, exclude=exclude)
    assert got == reference_best(known, customer, address, params, exclude)
    return got


def test_exact_identifier_beats_an_earlier_fuzzy_match() -> None:
    params = DuplicateCustomerParams()
    typo_ = KnownCustomer("C-1", "Jan Kowalsky", "jan.kowalsky@gmail.com", "600100201", HOME)
    same_mail = KnownCustomer("C-2", "Someone Else", "Jan.Kowalski+x@googlemail.com")
    assert best([typo_, same_mail], params) == (same_mail, 100.0)
    # excluded, the exact match gives way to the fuzzy one
    found = best([typo_, same_mail], params, exclude={"C-2"})
    assert found is not None and found[0] == typo_ and 90 <= found[1] < 100
    # not an identifier any more: Someone Else is a stranger
    assert best([same_mail], params.model_copy(update={"exact_identifiers": ["phone"]})) is None


def test_an_earlier_fuzzy_100_wins_the_tie_with_an_exact_match() -> None:
    params = DuplicateCustomerParams(exact_identifiers=["phone"])
    twin = KnownCustomer("C-1", "Kowalski Jan", "jan.kowalski@gmail.com", None, HOME)
    same_phone = KnownCustomer("C-2", "Anna Nowak", None, "+48 600-100-200")
    assert best([twin, same_phone], params) == (twin, 100.0)
    assert best([same_phone, twin], params) == (same_phone, 100.0)


def test_a_customer_without_the_heaviest_field_is_still_found() -> None:
    params = DuplicateCustomerParams(weights={"name": 1.0, "email": 0.2, "address": 0.3})
    nameless = KnownCustomer("C-1", None, "jan.kowalski1@gmail.com", None, HOME)
    found = best([KnownCustomer("C-0", "Maria Zielińska"), nameless], params)
    assert found is not None and found[0] == nameless


def test_zero_and_missing_weights_count_for_min_fields_only() -> None:
    params = DuplicateCustomerParams(weights={"name": 0.0, "email": 1.0}, min_fields=2)
    # phone and address have no weight; name has weight 0: the score is the e-mail's alone
    near = KnownCustomer("C-1", "Piotr Nowak", "jan.kowalsky@gmail.com", None, Address())
    found = best([near], params.model_copy(update={"threshold": 50.0}))
    assert found is not None and found[1] == round(
        fuzz.ratio("jankowalski@gmail.com", "jankowalsky@gmail.com"), 2
    )
    # with e-mail alone (min_fields 2 not met) nothing matches
    assert best([KnownCustomer("C-2", None, "jan.kowalsky@gmail.com")], params) is None


def test_threshold_zero_matches_the_first_customer_not_excluded() -> None:
    params = DuplicateCustomerParams(threshold=0.0)
    strangers = [KnownCustomer(f"C-{k}", "Maria Zielińska") for k in range(3)]
    assert best(strangers, params) == (strangers[0], 0.0)
    assert best(strangers, params, exclude={"C-0"}) == (strangers[1], 0.0)
    assert best(strangers, params, exclude={"C-0", "C-1", "C-2"}) is None
    assert best([], params) is None


def test_threshold_100_needs_equal_fields() -> None:
    params = DuplicateCustomerParams(threshold=100.0, exact_identifiers=[])
    twin = KnownCustomer("C-1", "KOWALSKI, Jan", "jan.kowalski@gmail.com", "600100200", HOME)
    almost = KnownCustomer("C-0", "Jan Kowalsky", "jan.kowalski@gmail.com", "600100200", HOME)
    assert best([almost, twin], params) == (twin, 100.0)
    assert best([almost], params) is None


@pytest.mark.parametrize("threshold", [90.0, 95.0])
def test_customers_added_after_construction_and_after_a_search(threshold: float) -> None:
    params = DuplicateCustomerParams(threshold=threshold, exact_identifiers=[])
    index = CustomerIndex([KnownCustomer("C-0", "Maria Zielińska")], params)
    assert index.best_match(JAN, HOME, params) is None
    twin = KnownCustomer("C-1", "Jan Kowalski", None, "600100200", HOME)
    index.add(twin)
    assert index.best_match(JAN, HOME, params) == (twin, 100.0)
    assert index.best_match(JAN, HOME, params, exclude=["C-1"]) is None
    assert index.best_match(JAN, HOME, params, exclude=iter(["C-1"])) is None


def test_fields_empty_after_normalisation_are_not_compared() -> None:
    """A name of punctuation or an e-mail of spaces says nothing: not a field, never an exact
    match; the reference and the index agree."""
    params = DuplicateCustomerParams(min_fields=1)
    blank = KnownCustomer("K1", "!!!", "  ", None, Address("Polna 1", "Poznań", "60-001", "PL"))
    buyer = Customer("???", "   ", None)
    where = Address("Polna 1", "Poznań", "60-001", "PL")
    score, fields = customer_similarity(buyer, where, blank, params)
    assert set(fields) == {"address"} and score == 100.0
    index = CustomerIndex([blank], params)
    assert index.scores(buyer, where, params).tolist() == [score]
    other = Address("Leśna 9", "Gdańsk", "80-001", "PL")
    assert customer_similarity(buyer, other, blank, params)[0] < 90
    assert index.best_match(buyer, other, params) is None


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_truncate_forgets_the_last_customers_exactly(case: Case, data: st.DataObject) -> None:
    """After ``truncate(n)`` (and more additions) the index answers as one built from scratch
    with the same customers (a rolled-back import chunk leaves no trace)."""
    known, initial, params, buyers = case
    keep = data.draw(st.integers(0, len(known)))
    more = data.draw(st.lists(people(f"C-{data.draw(st.integers(0, 30))}"), max_size=4))
    with mock.patch.object(holds, "_COMPACT_MIN", 3):
        index = build(known, initial, params)
        index.truncate(keep)
        for k in more:
            index.add(k)
        expected = [*known[:keep], *more]
        assert index.customers == expected and len(index) == len(expected)
        fresh = build(expected, 0, params)
        assert index._by_value == fresh._by_value and index._by_id == fresh._by_id
        assert index._mask_counts == fresh._mask_counts
        for buyer, exclude in buyers:
            customer = Customer(buyer.name, buyer.email, buyer.phone)
            got = index.best_match(customer, buyer.address, params, exclude=exclude)
            assert got == fresh.best_match(customer, buyer.address, params, exclude=exclude)
            assert got == reference_best(expected, customer, buyer.address, params, exclude)
            assert np.array_equal(
                index.scores(customer, buyer.address, params),
                fresh.scores(customer, buyer.address, params),
            )
