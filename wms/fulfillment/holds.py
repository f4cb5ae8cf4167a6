"""The order verification rules engine: which incoming orders need a consultant, and why.

Each rule is a small pure function ``rule(order, context, params) -> list[HoldFinding]``
(:class:`HoldRule`), registered by name in :data:`RULES`. The parameters of every rule, and
whether it runs at all, come from a :class:`HoldRulesConfig` (a YAML file, see
``config/hold-rules.yaml`` and :func:`load_hold_rules`); what the rule needs to know about the rest
of the world (known SKUs, available stock, known customers) comes in a :class:`HoldContext`, so
the rules never touch a database and can be tested on plain objects.

:func:`evaluate` runs every enabled rule and returns all findings: an order can collect several
holds at once, each released on its own. An order without findings goes straight to the warehouse.

Rules
-----
``payment_not_confirmed``
    The payment status is not one of the accepted statuses (cash on delivery passes if allowed).
``payment_not_accepted_by_carrier``
    The chosen carrier does not accept the payment method (a carrier -> methods table).
``foreign_value_limit``
    Ship-to country is not the home country and the value, converted, is above a limit
    (default 15,000 PLN).
``incomplete_content``
    Missing or invalid address fields, unknown SKU, quantity out of range, missing or unknown
    currency.
``duplicate_customer``
    The buyer looks like a known customer of another account or channel (fuzzy match on name,
    e-mail, phone and address after normalisation); pairs a consultant already accepted
    (:attr:`HoldContext.accepted_duplicates`) are not reported again.
``customer_comment``
    A transparent keyword/regex classifier whose patterns are data: comments that change the
    order hold it, comments that do not pass, unknown comments follow a configured default.
``stock_shortage``
    Available stock does not cover the order's lines.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz, process

from wms.errors import ConfigError, located
from wms.fulfillment.intake import Address, Customer, IncomingOrder

__all__ = [
    "RULES",
    "CustomerIndex",
    "HoldContext",
    "HoldFinding",
    "HoldRule",
    "HoldRulesConfig",
    "KnownCustomer",
    "classify_comment",
    "customer_similarity",
    "evaluate",
    "load_hold_rules",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
]


# -- findings and context ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldFinding:
    """One reason to hold an order.

    Attributes
    ----------
    rule
        Name of the rule that found it (a key of :data:`RULES`).
    detail
        One sentence for the consultant: what is wrong and with which value.
    data
        Machine-readable evidence (matched customer and score, matched pattern, missing units...).
    """

    rule: str
    detail: str
    data: Mapping[str, object] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class KnownCustomer:
    """A customer already in the store, as the duplicate check sees it."""

    customer_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address = field(default_factory=Address)
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class HoldContext:
    """What the rules need to know beyond the order itself.

    Attributes
    ----------
    known_skus
        SKU ids of the catalogue; ``None`` skips the unknown-SKU check.
    available_units
        Available (on hand minus reserved) units per SKU; ``None`` skips the stock check.
        A SKU missing from the mapping has 0 available.
    customers
        Known customers to compare the buyer with: a sequence, or a :class:`CustomerIndex`
        (normalised once, scored in bulk: use it when checking many orders).
    own_customer_id
        The buyer's own account, never reported as a duplicate of itself.
    accepted_duplicates
        Customers a consultant already accepted as the same person as the buyer (a released
        ``duplicate_customer`` hold): not reported again.
    """

    known_skus: frozenset[str] | None = None
    available_units: Mapping[str, int] | None = None
    customers: Sequence[KnownCustomer] | CustomerIndex = ()
    own_customer_id: str | None = None
    accepted_duplicates: frozenset[str] = frozenset()


# -- configuration ----------------------------------------------------------------------------


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True


class PaymentNotConfirmedParams(_Params):
    """``payment_not_confirmed``: statuses that count as paid; cash on delivery."""

    accepted_statuses: list[str] = Field(default_factory=lambda: ["paid", "confirmed", "completed"])
    allow_cash_on_delivery: bool = True
    cash_on_delivery_methods: list[str] = Field(default_factory=lambda: ["cod", "cash_on_delivery"])


class PaymentByCarrierParams(_Params):
    """``payment_not_accepted_by_carrier``: payment methods each carrier accepts."""

    accepted_methods: dict[str, list[str]] = Field(default_factory=dict)
    unknown_carrier: Literal["hold", "pass"] = "pass"


class ForeignValueLimitParams(_Params):
    """``foreign_value_limit``: orders abroad above ``limit`` (in ``limit_currency``)."""

    limit: Decimal = Field(default=Decimal(15000), ge=0)
    limit_currency: str = "PLN"
    #: Units of ``limit_currency`` per unit of each currency (PLN per EUR = 4.3...).
    rates: dict[str, Decimal] = Field(
        default_factory=lambda: {"PLN": Decimal(1), "EUR": Decimal("4.30"), "USD": Decimal("4.00")}
    )

    @field_validator("rates")
    @classmethod
    def _positive_rates(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for cur, rate in value.items():
            if rate <= 0:
                raise ValueError(f"rate of {cur} must be > 0, got {rate}")
        return {k.upper(): v for k, v in value.items()}


class IncompleteContentParams(_Params):
    """``incomplete_content``: required fields and value ranges of an order."""

    required_address_fields: list[Literal["street", "city", "postal_code", "country"]] = Field(
        default_factory=lambda: ["street", "city", "postal_code", "country"]  # type: ignore[arg-type]
    )
    require_customer_name: bool = True
    require_contact: bool = True
    #: Regular expression a postal code must match, per country code.
    postal_code_patterns: dict[str, str] = Field(
        default_factory=lambda: {"PL": r"^\d{2}-\d{3}$", "DE": r"^\d{5}$"}
    )
    check_unknown_sku: bool = True
    max_qty_per_line: int = Field(default=1000, ge=1)
    require_value: bool = True
    #: Currencies an order may be in; empty allows any.
    currencies: list[str] = Field(default_factory=lambda: ["PLN", "EUR", "USD"])

    @field_validator("postal_code_patterns")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for country, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"postal code pattern of {country} is not a regex: {exc}"
                ) from None
        return {k.upper(): v for k, v in value.items()}


class DuplicateCustomerParams(_Params):
    """``duplicate_customer``: fuzzy-match threshold, field weights, normalisation."""

    threshold: float = Field(default=90.0, ge=0, le=100)
    #: An exact match of these normalised identifiers scores 100 on its own.
    exact_identifiers: list[Literal["email", "phone"]] = Field(
        default_factory=lambda: ["email", "phone"]  # type: ignore[arg-type]
    )
    weights: dict[str, float] = Field(
        default_factory=lambda: {"name": 0.35, "email": 0.2, "phone": 0.15, "address": 0.3}
    )

    @field_validator("weights")
    @classmethod
    def _known_fields(cls, value: dict[str, float]) -> dict[str, float]:
        for name, weight in value.items():
            if name not in ("name", "email", "phone", "address"):
                raise ValueError(
                    f"unknown field {name!r}; weights are for name, email, phone, address"
                )
            if weight < 0:
                raise ValueError(f"weight of {name} must be >= 0, got {weight}")
        return value

    #: The weighted fuzzy score needs at least this many fields present on both sides.
    min_fields: int = Field(default=2, ge=1, le=4)
    default_country_code: str = Field(default="48", pattern=r"^\d{1,3}$")
    national_number_length: int = Field(default=9, ge=4, le=15)


class CommentPattern(BaseModel):
    """One classifier rule: a name for the consultant and a regular expression (case-insensitive)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class CustomerCommentParams(_Params):
    """``customer_comment``: patterns that change the order (hold) and patterns that do not."""

    hold_patterns: list[CommentPattern] = Field(default_factory=list)
    pass_patterns: list[CommentPattern] = Field(default_factory=list)
    unknown: Literal["hold", "pass"] = "hold"


class StockShortageParams(_Params):
    """``stock_shortage``: no parameters besides ``enabled``."""


class RuleParams(BaseModel):
    """Parameters of every rule (each switchable with ``enabled``)."""

    model_config = ConfigDict(extra="forbid")

    payment_not_confirmed: PaymentNotConfirmedParams = Field(
        default_factory=PaymentNotConfirmedParams
    )
    payment_not_accepted_by_carrier: PaymentByCarrierParams = Field(
        default_factory=PaymentByCarrierParams
    )
    foreign_value_limit: ForeignValueLimitParams = Field(default_factory=ForeignValueLimitParams)
    incomplete_content: IncompleteContentParams = Field(default_factory=IncompleteContentParams)
    duplicate_customer: DuplicateCustomerParams = Field(default_factory=DuplicateCustomerParams)
    customer_comment: CustomerCommentParams = Field(default_factory=CustomerCommentParams)
    stock_shortage: StockShortageParams = Field(default_factory=StockShortageParams)


class HoldRulesConfig(BaseModel):
    """The hold rules of one business: home country and every rule's switch and parameters."""

    model_config = ConfigDict(extra="forbid")

    home_country: str = Field(default="PL", pattern=r"^[A-Za-z]{2}$")
    rules: RuleParams = Field(default_factory=RuleParams)

    @field_validator("home_country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    def enabled(self) -> list[str]:
        """Names of the enabled rules, in :data:`RULES` order."""
        return [name for name in RULES if getattr(self.rules, name).enabled]

    def all_off(self) -> HoldRulesConfig:
        """A copy with every rule switched off."""
        rules = {
            name: getattr(self.rules, name).model_copy(update={"enabled": False}) for name in RULES
        }
        return self.model_copy(update={"rules": self.rules.model_copy(update=rules)})

    def only(self, *names: str) -> HoldRulesConfig:
        """A copy where exactly the rules ``names`` are enabled (parameters kept)."""
        for name in names:
            _check_rule_name(name)
        rules = {
            name: getattr(self.rules, name).model_copy(update={"enabled": name in names})
            for name in RULES
        }
        return self.model_copy(update={"rules": self.rules.model_copy(update=rules)})


def load_hold_rules(path: str | Path) -> HoldRulesConfig:
    """Read a :class:`HoldRulesConfig` from a YAML (or JSON) file; an empty file gives defaults.

    Raises
    ------
    ConfigError
        Naming the file and the field path (``rules.foreign_value_limit.limit``) of the problem.
    """
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found") from None
    except (IsADirectoryError, UnicodeDecodeError):
        raise ConfigError(f"{p}: not a readable text file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(located(str(p), line, f"invalid YAML: {problem}")) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping with home_country and rules at the top level")
    return hold_rules_from_dict(data, source=str(p))


def hold_rules_from_dict(data: Mapping[str, Any], *, source: str = "hold rules") -> HoldRulesConfig:
    """Validate a dict shaped like the YAML file; :class:`ConfigError` names the field."""
    try:
        return HoldRulesConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            hint = ""
            if len(err["loc"]) == 2 and err["loc"][0] == "rules":
                hint = f"; known rules: {', '.join(RULES)}"
            raise ConfigError(f"{source}: unknown setting {where!r}{hint}") from None
        raise ConfigError(f"{source}: {where}: {err['msg']}") from None


# -- normalisation ----------------------------------------------------------------------------

_GMAIL = frozenset({"gmail.com", "googlemail.com"})


def normalize_email(email: str) -> str:
    """Canonical form of an e-mail address for matching.

    Lower case; a ``+tag`` in the local part is dropped; for Gmail the dots of the local part
    are dropped and ``googlemail.com`` becomes ``gmail.com`` (Gmail ignores both). Idempotent.
    """
    text = email.strip().casefold().strip()
    if "@" not in text:
        return text
    local, domain = text.rsplit("@", 1)
    local = local.split("+", 1)[0]
    domain = domain.strip()
    if domain in _GMAIL:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def normalize_phone(phone: str, default_country_code: str = "48", national_length: int = 9) -> str:
    """International form ``+<digits>`` of a phone number, for matching.

    Digits only; ``+`` or ``00`` starts an international number; a leading ``0`` (trunk prefix) or
    a number of exactly ``national_length`` digits is national and gets ``default_country_code``.
    ``""`` when there are no digits. Idempotent.
    """
    text = phone.strip()
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if not digits:
        return ""
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:] if len(digits) > 2 else ""
    if digits.startswith("0"):
        return "+" + default_country_code + digits[1:]
    if len(digits) == national_length:
        return "+" + default_country_code + digits
    return "+" + digits


def normalize_name(text: str) -> str:
    """Case-folded text without diacritics and punctuation, single spaces (names, addresses).

    Idempotent: the steps are repeated until nothing changes (a few Unicode characters fold into
    letters that fold again, e.g. mathematical capitals).
    """
    out = text
    for _ in range(5):
        step = _normalize_name_once(out)
        if step == out:
            break
        out = step
    return out


def _normalize_name_once(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ß", "ss")
    return " ".join(re.findall(r"\w+", plain))


def customer_similarity(
    customer: Customer,
    address: Address,
    known: KnownCustomer,
    params: DuplicateCustomerParams | None = None,
) -> tuple[float, dict[str, float]]:
    """Similarity 0..100 of a buyer to a known customer, with the score of each compared field.

    An exact match of a normalised identifier (:attr:`DuplicateCustomerParams.exact_identifiers`)
    scores 100. Otherwise the score is the weighted mean of the fuzzy scores (rapidfuzz
    ``token_sort_ratio``) of the fields present on both sides, or 0 when fewer than ``min_fields``
    fields can be compared.
    """
    p = params or DuplicateCustomerParams()
    fields: dict[str, float] = {}
    exact = False
    # A field counts only when it is non-empty on both sides after normalisation (a name of
    # "!!!" or an e-mail of spaces says nothing), as in CustomerIndex.
    a = normalize_email(customer.email) if customer.email else ""
    b = normalize_email(known.email) if known.email else ""
    if a and b:
        fields["email"] = 100.0 if a == b else float(fuzz.ratio(a, b))
        exact |= a == b and "email" in p.exact_identifiers
    if customer.phone and known.phone:
        a = normalize_phone(customer.phone, p.default_country_code, p.national_number_length)
        b = normalize_phone(known.phone, p.default_country_code, p.national_number_length)
        if a and b:
            fields["phone"] = 100.0 if a == b else float(fuzz.ratio(a, b))
            exact |= a == b and "phone" in p.exact_identifiers
    a = normalize_name(customer.name) if customer.name else ""
    b = normalize_name(known.name) if known.name else ""
    if a and b:
        fields["name"] = float(fuzz.token_sort_ratio(a, b))
    mine, theirs = address.one_line(), known.address.one_line()
    a = normalize_name(mine) if mine else ""
    b = normalize_name(theirs) if theirs else ""
    if a and b:
        fields["address"] = float(fuzz.token_sort_ratio(a, b))
    if exact:
        return 100.0, fields
    if len(fields) < p.min_fields:
        return 0.0, fields
    total = sum(p.weights.get(f, 0.0) for f in fields)
    if total <= 0:
        return 0.0, fields
    score = sum(p.weights.get(f, 0.0) * s for f, s in fields.items()) / total
    return round(score, 2), fields


_FIELDS = ("email", "phone", "name", "address")
#: Bit of each field in a customer's presence mask (which normalised fields are non-empty).
_BIT = {f: 1 << j for j, f in enumerate(_FIELDS)}
#: Number of presence masks (every subset of :data:`_FIELDS`).
_MASKS = 1 << len(_FIELDS)
#: Fields scored with ``token_sort_ratio``. The index keeps their tokens sorted, so the pruned
#: search scores them with plain ``ratio`` (``token_sort_ratio`` is ``ratio`` of the sorted tokens).
_TOKEN_SORTED = frozenset({"name", "address"})
#: Pruning keeps every customer whose score can reach ``threshold - _ROUNDING_SLACK``: a score is
#: rounded to 2 decimals before the comparison (at most 0.005 up), the rest absorbs float error.
_ROUNDING_SLACK = 0.01
#: A field is scored over the whole column (one ``cdist`` on the stored list) rather than on a
#: sub-list when more than this fraction of the customers needs it.
_WHOLE_COLUMN_SHARE = 0.25
#: Fewest new customers whose values :meth:`CustomerIndex._compact` copies together at once.
_COMPACT_MIN = 256


def _best_unequal_ratio(length: int, longest: int) -> float:
    """An upper bound of ``fuzz.ratio`` between a text of ``length`` characters and any different
    text of at most ``longest``: one insertion or deletion at least (plus a hair for float error).
    """
    return 100.0 * (1.0 - 1.0 / (length + longest)) + 1e-6 if length + longest else 100.0


def _not_in(pos: NDArray[np.intp], skip: set[int]) -> NDArray[np.bool_]:
    """Which of ``pos`` are not in ``skip`` (a few comparisons for the usual one or two)."""
    if len(skip) > 8:
        return ~np.isin(pos, np.fromiter(skip, dtype=np.intp, count=len(skip)))
    keep = np.ones(len(pos), dtype=bool)
    for k in skip:
        keep &= pos != k
    return keep


def _copied_together(values: list[str]) -> list[str]:
    """Equal copies of ``values`` allocated one after the other (slices of one joined string)."""
    joined = "".join(values)
    out: list[str] = []
    start = 0
    for value in values:
        end = start + len(value)
        out.append(joined[start:end])
        start = end
    return out


def _sorted_tokens(text: str) -> str:
    """The tokens of a normalised text in sorted order (what ``token_sort_ratio`` compares)."""
    return " ".join(sorted(text.split()))


class _GrowingArray:
    """A 1-D numpy array with amortised O(1) append: the buffer doubles when full."""

    def __init__(self, dtype: type[Any] | np.dtype[Any]) -> None:
        self._buf: NDArray[Any] = np.empty(16, dtype=dtype)
        self._n = 0

    def append(self, value: object) -> None:
        """Add one element at the end."""
        if self._n == len(self._buf):
            self._buf = np.concatenate([self._buf, np.empty_like(self._buf)])
        self._buf[self._n] = value
        self._n += 1

    def view(self) -> NDArray[Any]:
        """The elements appended so far (a view: do not keep it across appends)."""
        return self._buf[: self._n]

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` elements."""
        self._n = min(self._n, n)


@dataclass(frozen=True, slots=True)
class _SearchPlan:
    """How :meth:`CustomerIndex.best_match` prunes for one buyer pattern and parameter set.

    Attributes
    ----------
    order
        The buyer's fields with a positive weight, heaviest first: the order of the stages.
    weights
        Weight of every field (0 for a field without one).
    cutoffs
        Per stage, the lowest score of the stage's field that can still reach ``floor`` for a
        customer whose first present field of ``order`` is this one, whatever else it has.
    enter
        Per stage, which presence masks start there: eligible masks whose first present field of
        ``order`` is the stage's field (a table indexed by mask, and the list of those masks).
    total
        Per presence mask, the weight total of the fields compared, summed as
        :meth:`CustomerIndex.scores` sums it (field order, the same floats).
    floor
        The threshold minus :data:`_ROUNDING_SLACK`: a customer whose score is surely below it
        cannot match.
    """

    order: tuple[str, ...]
    weights: Mapping[str, float]
    cutoffs: tuple[float, ...]
    enter: tuple[NDArray[np.bool_], ...]
    enter_masks: tuple[tuple[int, ...], ...]
    total: NDArray[np.float64]
    floor: float


@functools.lru_cache(maxsize=256)
def _search_plan(
    buyer_mask: int, weights: tuple[float, ...], min_fields: int, threshold: float
) -> _SearchPlan:
    """The :class:`_SearchPlan` of a buyer with fields ``buyer_mask`` (cached: few patterns recur).

    A customer compared on the fields ``P`` (present on both sides) with weight total ``W``
    scores ``sum(w_f * s_f) / W``; with the fields computed so far at their real scores and the
    others at 100 that is at most ``100 - sum(w_f * (100 - s_f)) / W``. The customers entering
    at stage ``j`` have none of the heavier fields, so ``W`` is at most the weight of the stage's
    field and the lighter ones, which gives the stage's cutoff.
    """
    w = dict(zip(_FIELDS, weights, strict=True))
    total = np.zeros(_MASKS)
    eligible = np.zeros(_MASKS, dtype=bool)
    for mask in range(_MASKS):
        common = [f for f in _FIELDS if mask & buyer_mask & _BIT[f]]
        acc = 0.0
        for f in common:
            acc = acc + w[f]
        total[mask] = acc
        eligible[mask] = len(common) >= min_fields and acc > 0
    order = tuple(
        sorted((f for f in _FIELDS if buyer_mask & _BIT[f] and w[f] > 0), key=lambda f: -w[f])
    )
    floor = threshold - _ROUNDING_SLACK
    cutoffs: list[float] = []
    enter: list[tuple[int, ...]] = []
    heavier = 0
    for j, f in enumerate(order):
        rest = sum(w[g] for g in order[j:])
        cutoffs.append(max(0.0, 100.0 - (100.0 - floor) * rest / w[f]))
        enter.append(
            tuple(m for m in range(_MASKS) if eligible[m] and m & _BIT[f] and not m & heavier)
        )
        heavier |= _BIT[f]
    tables = tuple(np.isin(np.arange(_MASKS), masks) for masks in enter)
    return _SearchPlan(order, w, tuple(cutoffs), tables, tuple(enter), total, floor)


class _Candidates:
    """Customers that can still reach the threshold, with their field scores computed so far.

    ``deficit`` is ``sum(w_f * (100 - s_f))`` over the computed fields a customer has; a field a
    customer lacks scores 0 in ``scores`` and counts for nothing.
    """

    def __init__(self) -> None:
        self.pos: NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        self.mask: NDArray[np.uint8] = np.zeros(0, dtype=np.uint8)
        self.deficit: NDArray[np.float64] = np.zeros(0)
        self.scores: dict[str, NDArray[np.float64]] = {}

    def __len__(self) -> int:
        return len(self.pos)

    def has(self, f: str) -> NDArray[np.bool_]:
        """Which candidates have field ``f``."""
        return (self.mask & _BIT[f]) != 0

    def add_field(self, f: str, weight: float, scores: NDArray[np.float64]) -> None:
        """Record the scores of field ``f`` (0 where a candidate lacks it)."""
        self.scores[f] = scores
        self.deficit = self.deficit + np.where(self.has(f), weight * (100.0 - scores), 0.0)

    def extend(
        self,
        pos: NDArray[np.intp],
        mask: NDArray[np.uint8],
        f: str,
        weight: float,
        scores: NDArray[np.float64],
    ) -> None:
        """Add customers scored on field ``f`` only (they lack every field scored before)."""
        if len(pos) == 0:
            return
        self.scores.setdefault(f, np.zeros(len(self)))
        self.pos = np.concatenate([self.pos, pos])
        self.mask = np.concatenate([self.mask, mask])
        self.deficit = np.concatenate([self.deficit, weight * (100.0 - scores)])
        for g, got in self.scores.items():
            self.scores[g] = np.concatenate([got, scores if g == f else np.zeros(len(pos))])

    def prune(self, plan: _SearchPlan) -> None:
        """Drop the candidates whose best possible score is below ``plan.floor``."""
        keep = 100.0 - self.deficit / plan.total[self.mask] >= plan.floor
        if keep.all():
            return
        self.pos, self.mask, self.deficit = self.pos[keep], self.mask[keep], self.deficit[keep]
        self.scores = {f: s[keep] for f, s in self.scores.items()}

    def final_scores(self, plan: _SearchPlan) -> NDArray[np.float64]:
        """The scores as :meth:`CustomerIndex.scores` computes them (same operations, same order)."""
        acc = np.zeros(len(self))
        for f in _FIELDS:
            if f in self.scores:
                acc = acc + np.where(self.has(f), plan.weights[f] * self.scores[f], 0.0)
        return np.asarray(np.round(acc / plan.total[self.mask], 2), dtype=np.float64)


class CustomerIndex:
    """Known customers, normalised once, scored against a buyer in bulk (rapidfuzz ``cdist``).

    Gives the same scores as :func:`customer_similarity` applied to each customer (the slow
    reference the tests compare it with), in one vectorised pass per field, so checking an order
    against tens of thousands of customers stays fast. Build it once per import and
    :meth:`add` the customers the import creates.

    :meth:`best_match` does not score every field of every customer: exact identifiers are looked
    up in a dictionary, and the fuzzy search scores the heaviest field first with a cutoff below
    which no customer can reach the threshold, then only the survivors on the other fields
    (:class:`_SearchPlan`), with the same result as the full :meth:`scores`.

    Parameters
    ----------
    customers
        The known customers.
    params
        Normalisation settings (phone country code and length) the index is built with.
    """

    def __init__(
        self,
        customers: Iterable[KnownCustomer] = (),
        params: DuplicateCustomerParams | None = None,
    ) -> None:
        self._params = params or DuplicateCustomerParams()
        self.customers: list[KnownCustomer] = []
        self._values: dict[str, list[str]] = {f: [] for f in _FIELDS}
        # What the pruned search scores with plain ``ratio``: the values, tokens sorted for name
        # and address, copied into consecutive memory in chunks (:meth:`_compact`).
        self._scan: dict[str, list[str]] = {f: [] for f in _FIELDS}
        self._compacted = 0
        # Object arrays of the values for :meth:`scores`, grown in place (amortised O(1) add).
        self._columns = {f: _GrowingArray(object) for f in _FIELDS}
        # Presence mask of every customer (bits of :data:`_BIT`) and how many have each mask.
        self._masks = _GrowingArray(np.uint8)
        self._mask_counts = [0] * _MASKS
        # Positions of every value (tokens sorted for name and address) and customer id,
        # ascending, and the longest value of each field.
        self._by_value: dict[str, dict[str, list[int]]] = {f: {} for f in _FIELDS}
        self._by_id: dict[str, list[int]] = {}
        self._longest = dict.fromkeys(_FIELDS, 0)
        for known in customers:
            self.add(known)

    def __len__(self) -> int:
        return len(self.customers)

    def compatible(self, params: DuplicateCustomerParams) -> bool:
        """Whether the index normalised phones as ``params`` would."""
        return (self._params.default_country_code, self._params.national_number_length) == (
            params.default_country_code,
            params.national_number_length,
        )

    def _normalised(self, customer: Customer, address: Address) -> dict[str, str]:
        p = self._params
        phone = customer.phone or ""
        one_line = address.one_line()
        return {
            "email": normalize_email(customer.email) if customer.email else "",
            "phone": normalize_phone(phone, p.default_country_code, p.national_number_length)
            if phone
            else "",
            "name": normalize_name(customer.name) if customer.name else "",
            "address": normalize_name(one_line) if one_line else "",
        }

    def add(self, known: KnownCustomer) -> None:
        """Add one customer (amortised O(1) besides normalising it)."""
        values = self._normalised(Customer(known.name, known.email, known.phone), known.address)
        k = len(self.customers)
        self.customers.append(known)
        mask = 0
        for f in _FIELDS:
            value = values[f]
            self._values[f].append(value)
            self._columns[f].append(value)
            if f in _TOKEN_SORTED:
                value = _sorted_tokens(value)
            self._scan[f].append(value)
            if value:
                mask |= _BIT[f]
                self._by_value[f].setdefault(value, []).append(k)
                self._longest[f] = max(self._longest[f], len(value))
        self._by_id.setdefault(known.customer_id, []).append(k)
        self._masks.append(mask)
        self._mask_counts[mask] += 1

    def truncate(self, n: int) -> None:
        """Forget the customers added after the first ``n`` (e.g. those of an import chunk that
        was rolled back), in O(removed): the index is then as if built from the first ``n``."""
        masks = self._masks.view()
        for k in range(len(self.customers) - 1, n - 1, -1):
            for f in _FIELDS:
                value = self._scan[f][k]
                if value:
                    positions = self._by_value[f][value]
                    positions.pop()  # ascending, so position k is the last one
                    if not positions:
                        del self._by_value[f][value]
            positions = self._by_id[self.customers[k].customer_id]
            positions.pop()
            if not positions:
                del self._by_id[self.customers[k].customer_id]
            self._mask_counts[int(masks[k])] -= 1
        del self.customers[n:]
        for f in _FIELDS:
            del self._values[f][n:]
            del self._scan[f][n:]
            self._columns[f].truncate(n)
        self._masks.truncate(n)
        self._compacted = min(self._compacted, n)
        # ``_longest`` stays: a longer bound only loosens the pruning, never changes an answer.

    def _array(self, f: str) -> NDArray[np.object_]:
        return self._columns[f].view()

    def scores(
        self, customer: Customer, address: Address, params: DuplicateCustomerParams
    ) -> NDArray[np.float64]:
        """The :func:`customer_similarity` score of the buyer against every indexed customer."""
        n = len(self.customers)
        if n == 0:
            return np.zeros(0)
        mine = self._normalised(customer, address)
        scorer = {"email": fuzz.ratio, "phone": fuzz.ratio, "name": fuzz.token_sort_ratio}
        acc = np.zeros(n)
        total = np.zeros(n)
        count = np.zeros(n, dtype=np.int64)
        exact = np.zeros(n, dtype=bool)
        for f in _FIELDS:
            if not mine[f]:
                continue
            theirs = self._values[f]
            values = self._array(f)
            present = values != ""
            if not present.any():
                continue
            raw = process.cdist(
                [mine[f]],
                theirs,
                scorer=scorer.get(f, fuzz.token_sort_ratio),
                processor=None,
                dtype=np.float64,
                workers=1,
            )[0]
            if f in ("email", "phone"):
                same = values == mine[f]
                raw = np.where(same, 100.0, raw)
                if f in params.exact_identifiers:
                    exact |= same & present
            weight = params.weights.get(f, 0.0)
            acc = acc + np.where(present, weight * raw, 0.0)
            total = total + np.where(present, weight, 0.0)
            count += present
        with np.errstate(divide="ignore", invalid="ignore"):
            fuzzy = np.where((count >= params.min_fields) & (total > 0), acc / total, 0.0)
        return np.where(exact, 100.0, np.round(fuzzy, 2))

    def best_match(
        self,
        customer: Customer,
        address: Address,
        params: DuplicateCustomerParams,
        *,
        exclude: Iterable[str] = (),
    ) -> tuple[KnownCustomer, float] | None:
        """The best customer scoring at least ``params.threshold`` (first on ties), or ``None``.

        The same answer as the maximum of :meth:`scores` over the customers not excluded, without
        scoring them all: an exact identifier match (score 100) is a dictionary look-up, and the
        fuzzy search prunes the customers that cannot reach the threshold (see
        :func:`_search_plan`). A threshold of 0 (everyone matches) scores everyone.
        """
        n = len(self.customers)
        if n == 0:
            return None
        skip = {k for cid in set(exclude) for k in self._by_id.get(cid, ())}
        weights = tuple(params.weights.get(f, 0.0) for f in _FIELDS)
        if params.threshold <= 0 or not all(math.isfinite(w) for w in weights):
            return self._best_by_scores(customer, address, params, skip)
        buyer = self._normalised(customer, address)
        exact = self._exact_match(buyer, params, skip)
        threshold = 100.0 if exact is not None else params.threshold
        pos, score = self._fuzzy_matches(
            buyer, params, threshold, n if exact is None else exact, skip
        )
        if len(pos):
            top = score.max()
            if exact is None or top >= 100.0:
                return self.customers[int(pos[score == top].min())], float(top)
        if exact is not None:
            return self.customers[exact], 100.0
        return None

    def _best_by_scores(
        self,
        customer: Customer,
        address: Address,
        params: DuplicateCustomerParams,
        skip: set[int],
    ) -> tuple[KnownCustomer, float] | None:
        """:meth:`best_match` by scoring every customer (the unpruned reference algorithm)."""
        scores = self.scores(customer, address, params)
        if skip:
            scores[sorted(skip)] = -1.0
        k = int(np.argmax(scores))
        if scores[k] < params.threshold:
            return None
        return self.customers[k], float(scores[k])

    def _exact_match(
        self, buyer: Mapping[str, str], params: DuplicateCustomerParams, skip: set[int]
    ) -> int | None:
        """The first customer not skipped with an exact identifier of the buyer, or ``None``."""
        found: int | None = None
        for f in ("email", "phone"):
            if f not in params.exact_identifiers or not buyer[f]:
                continue
            k = next((k for k in self._by_value[f].get(buyer[f], ()) if k not in skip), None)
            if k is not None and (found is None or k < found):
                found = k
        return found

    def _fuzzy_matches(
        self,
        buyer: Mapping[str, str],
        params: DuplicateCustomerParams,
        threshold: float,
        limit: int,
        skip: set[int],
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Customers before ``limit``, not skipped, whose fuzzy score is at least ``threshold``.

        Returns their positions and scores (rounded as in :meth:`scores`). Stage by stage, in
        the order of :class:`_SearchPlan`: the candidates so far are scored on the stage's field,
        the customers whose first weighted field it is join if they score at least the stage's
        cutoff, and every candidate whose best possible score is below the threshold is dropped.
        """
        buyer_mask = sum(_BIT[f] for f in _FIELDS if buyer[f])
        weights = tuple(params.weights.get(f, 0.0) for f in _FIELDS)
        plan = _search_plan(buyer_mask, weights, params.min_fields, threshold)
        self._compact()
        masks: NDArray[np.uint8] = self._masks.view()
        cand = _Candidates()
        for j, f in enumerate(plan.order):
            query = _sorted_tokens(buyer[f]) if f in _TOKEN_SORTED else buyer[f]
            if len(cand):
                scores = np.zeros(len(cand))
                has = cand.has(f)
                if has.any():
                    scores[has] = self._field_scores(f, query, cand.pos[has])
                cand.add_field(f, plan.weights[f], scores)
            count = sum(self._mask_counts[m] for m in plan.enter_masks[j])
            if count:
                pos, scores = self._entrants(f, query, plan.cutoffs[j], plan.enter[j], masks, count)
                keep = (pos < limit) & _not_in(pos, skip)
                cand.extend(pos[keep], masks[pos[keep]], f, plan.weights[f], scores[keep])
            if len(cand):
                cand.prune(plan)
        if not len(cand):
            return cand.pos, np.zeros(0)
        final = cand.final_scores(plan)
        ok = final >= threshold
        return cand.pos[ok], final[ok]

    def _compact(self) -> None:
        """Copy the values added since the last call into consecutive memory, once enough are.

        Strings created one customer at a time lie scattered among other objects, and a
        ``cdist`` pass over them is several times slower (cache misses) than over strings
        allocated one after the other. Each value is copied once, in chunks of at least
        :data:`_COMPACT_MIN` customers (amortised O(1) per :meth:`add`); fewer wait for theirs.
        """
        n = len(self.customers)
        if n - self._compacted < _COMPACT_MIN:
            return
        for column in self._scan.values():
            column[self._compacted :] = _copied_together(column[self._compacted :])
        self._compacted = n

    def _entrants(
        self,
        f: str,
        query: str,
        cutoff: float,
        enter: NDArray[np.bool_],
        masks: NDArray[np.uint8],
        count: int,
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """The ``count`` customers with a mask in ``enter`` that score at least ``cutoff`` on ``f``."""
        if cutoff > _best_unequal_ratio(len(query), self._longest[f]):
            # only a value equal to the query can pass: look it up instead of scoring the column
            pos = np.array(self._by_value[f].get(query, ()), dtype=np.intp)
            pos = pos[enter[masks[pos]]]
            return pos, np.full(len(pos), 100.0)
        if count > _WHOLE_COLUMN_SHARE * len(masks):
            scores = self._field_scores(f, query, None, cutoff)
            pos = np.flatnonzero(scores >= cutoff)
            pos = pos[enter[masks[pos]]]
            return pos, scores[pos]
        pos = np.flatnonzero(enter[masks])
        scores = self._field_scores(f, query, pos, cutoff)
        keep = scores >= cutoff
        return pos[keep], scores[keep]

    def _field_scores(
        self, f: str, query: str, positions: NDArray[np.intp] | None, cutoff: float = 0.0
    ) -> NDArray[np.float64]:
        """Fuzzy scores of field ``f`` against ``query`` at ``positions`` (``None``: everyone).

        0 below ``cutoff`` (rapidfuzz skips the work), the exact score otherwise. An empty value
        scores 0.
        """
        values = self._scan[f]
        if positions is not None and len(positions) <= _WHOLE_COLUMN_SHARE * len(values):
            values = [values[k] for k in positions.tolist()]
            positions = None
        scores = process.cdist(
            [query],
            values,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            dtype=np.float64,
            workers=1,
        )[0]
        return scores if positions is None else scores[positions]


def classify_comment(
    comment: str | None, params: CustomerCommentParams
) -> tuple[Literal["hold", "pass", "none"], str | None]:
    """Classify a customer comment: ``("hold"|"pass", matched pattern name or None)``.

    Hold patterns are tried first (a comment that both thanks and changes the order changes it);
    ``("none", None)`` for an empty comment; an unmatched comment gets ``params.unknown``.
    """
    if comment is None or not comment.strip():
        return "none", None
    for rule in params.hold_patterns:
        if re.search(rule.pattern, comment, re.IGNORECASE):
            return "hold", rule.name
    for rule in params.pass_patterns:
        if re.search(rule.pattern, comment, re.IGNORECASE):
            return "pass", rule.name
    return params.unknown, None


# -- the rules --------------------------------------------------------------------------------


class HoldRule(Protocol):
    """The one call signature of every hold rule: pure (no I/O), at most one finding per rule.

    ``params`` is the rule's own section of the configuration (e.g.
    :class:`ForeignValueLimitParams`), ``config`` the whole one (home country...).
    """

    def __call__(
        self,
        order: IncomingOrder,
        context: HoldContext,
        params: Any,
        config: HoldRulesConfig,
        /,
    ) -> list[HoldFinding]: ...


def _lower(values: Sequence[str]) -> set[str]:
    return {v.strip().casefold() for v in values}


def payment_not_confirmed(
    order: IncomingOrder,
    context: HoldContext,
    params: PaymentNotConfirmedParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order whose payment status is not an accepted one (COD passes if allowed)."""
    method = (order.payment_method or "").strip().casefold()
    if params.allow_cash_on_delivery and method in _lower(params.cash_on_delivery_methods):
        return []
    status = (order.payment_status or "").strip().casefold()
    if status in _lower(params.accepted_statuses):
        return []
    shown = order.payment_status or "missing"
    is_cod = method in _lower(params.cash_on_delivery_methods)
    cod = " (cash on delivery is not allowed)" if is_cod else ""
    return [
        HoldFinding(
            "payment_not_confirmed",
            f"payment status {shown!r} is not one of {', '.join(params.accepted_statuses)}{cod}",
            {"payment_status": order.payment_status, "payment_method": order.payment_method},
        )
    ]


def payment_not_accepted_by_carrier(
    order: IncomingOrder,
    context: HoldContext,
    params: PaymentByCarrierParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order whose carrier does not accept its payment method."""
    table = {k.strip().casefold(): v for k, v in params.accepted_methods.items()}
    carrier = (order.carrier or "").strip().casefold()
    method = (order.payment_method or "").strip().casefold()
    data = {"carrier": order.carrier, "payment_method": order.payment_method}
    if carrier not in table:
        if params.unknown_carrier == "hold":
            return [
                HoldFinding(
                    "payment_not_accepted_by_carrier",
                    f"carrier {order.carrier!r} is not in the carrier table "
                    f"({', '.join(params.accepted_methods) or 'empty'})",
                    data,
                )
            ]
        return []
    if method in _lower(table[carrier]):
        return []
    return [
        HoldFinding(
            "payment_not_accepted_by_carrier",
            f"carrier {order.carrier} does not accept payment method "
            f"{order.payment_method or 'missing'!r}; it accepts {', '.join(table[carrier])}",
            data,
        )
    ]


def foreign_value_limit(
    order: IncomingOrder,
    context: HoldContext,
    params: ForeignValueLimitParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order shipped abroad whose value, converted, is above the limit."""
    country = (order.address.country or "").strip().upper()
    if not country or country == config.home_country or order.value is None:
        return []
    currency = (order.currency or params.limit_currency).upper()
    rate = params.rates.get(currency)
    if rate is None:
        return [
            HoldFinding(
                "foreign_value_limit",
                f"order to {country}: no conversion rate for currency {currency!r} to check the "
                f"limit of {params.limit} {params.limit_currency} (rates: "
                f"{', '.join(params.rates)})",
                {"country": country, "currency": currency},
            )
        ]
    limit_rate = params.rates.get(params.limit_currency.upper(), Decimal(1))
    converted = order.value * rate / limit_rate
    if converted <= params.limit:
        return []
    return [
        HoldFinding(
            "foreign_value_limit",
            f"order to {country} worth {order.value} {currency} = {converted:.2f} "
            f"{params.limit_currency}, above the limit of {params.limit} {params.limit_currency}",
            {"country": country, "value_in_limit_currency": str(round(converted, 2))},
        )
    ]


def incomplete_content(
    order: IncomingOrder,
    context: HoldContext,
    params: IncompleteContentParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order with missing/invalid address or buyer data, unknown SKUs, odd quantities."""
    problems: list[str] = []
    fields: list[str] = []
    addr = order.address
    for name in params.required_address_fields:
        if not (getattr(addr, name) or "").strip():
            problems.append(f"address {name} is missing")
            fields.append(f"address.{name}")
    country = (addr.country or "").strip()
    if country and not re.fullmatch(r"[A-Za-z]{2}", country):
        problems.append(f"country {country!r} is not a two-letter ISO code such as PL")
        fields.append("address.country")
    pattern = params.postal_code_patterns.get(country.upper())
    if pattern and addr.postal_code and not re.search(pattern, addr.postal_code.strip()):
        problems.append(f"postal code {addr.postal_code!r} is not valid for {country.upper()}")
        fields.append("address.postal_code")
    if params.require_customer_name and not (order.customer.name or "").strip():
        problems.append("customer name is missing")
        fields.append("customer.name")
    if params.require_contact and not (order.customer.email or order.customer.phone):
        problems.append("customer has neither e-mail nor phone")
        fields.append("customer.contact")
    if params.check_unknown_sku and context.known_skus is not None:
        unknown = sorted({ln.sku_id for ln in order.lines} - context.known_skus)
        if unknown:
            problems.append(f"unknown SKU {', '.join(unknown)}")
            fields.append("lines.sku")
    big = [ln for ln in order.lines if ln.qty > params.max_qty_per_line]
    for ln in big:
        problems.append(f"quantity {ln.qty} of {ln.sku_id} is above {params.max_qty_per_line}")
        fields.append("lines.qty")
    if params.require_value and order.value is None:
        problems.append("order value is missing")
        fields.append("value")
    if order.value is not None and not order.currency:
        problems.append("order value has no currency")
        fields.append("currency")
    if (
        order.currency
        and params.currencies
        and order.currency.upper() not in {c.upper() for c in params.currencies}
    ):
        problems.append(f"currency {order.currency!r} is not one of {', '.join(params.currencies)}")
        fields.append("currency")
    if not problems:
        return []
    return [
        HoldFinding(
            "incomplete_content", "; ".join(problems), {"fields": list(dict.fromkeys(fields))}
        )
    ]


def duplicate_customer(
    order: IncomingOrder,
    context: HoldContext,
    params: DuplicateCustomerParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order whose buyer resembles a known customer of another account.

    The best-scoring customer at or above the threshold is reported (the first one on ties).
    """
    index = context.customers
    if not isinstance(index, CustomerIndex) or not index.compatible(params):
        customers = index.customers if isinstance(index, CustomerIndex) else index
        index = CustomerIndex(customers, params)
    skip = set(context.accepted_duplicates)
    if context.own_customer_id is not None:
        skip.add(context.own_customer_id)
    found = index.best_match(order.customer, order.address, params, exclude=skip)
    if found is None:
        return []
    match, score = found
    _, fields = customer_similarity(order.customer, order.address, match, params)
    per_field = ", ".join(f"{k} {v:.0f}" for k, v in fields.items())
    channel = f" ({match.channel})" if match.channel else ""
    return [
        HoldFinding(
            "duplicate_customer",
            f"buyer matches known customer {match.customer_id}{channel} {match.name or ''!s} with "
            f"score {score:.1f} >= {params.threshold:g} ({per_field})".replace("  ", " "),
            {"customer_id": match.customer_id, "score": score, "fields": fields},
        )
    ]


def customer_comment(
    order: IncomingOrder,
    context: HoldContext,
    params: CustomerCommentParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order whose comment asks to change it (or is unknown, if so configured)."""
    verdict, pattern = classify_comment(order.comment, params)
    if verdict != "hold":
        return []
    why = f"matches pattern {pattern!r}" if pattern else "matches no known pattern"
    return [
        HoldFinding(
            "customer_comment",
            f"customer comment {order.comment!r} {why}",
            {"comment": order.comment, "pattern": pattern},
        )
    ]


def stock_shortage(
    order: IncomingOrder,
    context: HoldContext,
    params: StockShortageParams,
    config: HoldRulesConfig,
) -> list[HoldFinding]:
    """Hold an order whose lines are not covered by available stock (unknown SKUs are skipped:
    they are ``incomplete_content``)."""
    if context.available_units is None:
        return []
    need: dict[str, int] = {}
    for ln in order.lines:
        if context.known_skus is not None and ln.sku_id not in context.known_skus:
            continue  # an unknown SKU is incomplete content, not a shortage
        need[ln.sku_id] = need.get(ln.sku_id, 0) + ln.qty
    short = {
        sku: qty - max(0, context.available_units.get(sku, 0))
        for sku, qty in need.items()
        if qty > context.available_units.get(sku, 0)
    }
    if not short:
        return []
    text = ", ".join(
        f"{sku} needs {need[sku]}, {max(0, context.available_units.get(sku, 0))} available"
        for sku in short
    )
    return [HoldFinding("stock_shortage", f"stock shortage: {text}", {"missing_units": short})]


#: The rules by name, in the order they run (and their findings are listed).
RULES: dict[str, HoldRule] = {
    "payment_not_confirmed": payment_not_confirmed,
    "payment_not_accepted_by_carrier": payment_not_accepted_by_carrier,
    "foreign_value_limit": foreign_value_limit,
    "incomplete_content": incomplete_content,
    "duplicate_customer": duplicate_customer,
    "customer_comment": customer_comment,
    "stock_shortage": stock_shortage,
}


def _check_rule_name(name: str) -> None:
    if name not in RULES:
        raise ValueError(f"unknown hold rule {name!r}; choose one of: {', '.join(RULES)}")


def evaluate(
    order: IncomingOrder,
    context: HoldContext | None = None,
    config: HoldRulesConfig | None = None,
    *,
    rules: Sequence[str] | None = None,
) -> list[HoldFinding]:
    """All hold findings of the enabled rules for ``order`` (empty: release it).

    Parameters
    ----------
    order
        The incoming order.
    context
        Known SKUs, available stock, known customers (default: nothing known, checks skipped).
    config
        Switches and parameters (default: :class:`HoldRulesConfig` defaults).
    rules
        Run only these enabled rules (e.g. ``["stock_shortage"]`` to re-check stock).

    Returns
    -------
    list[HoldFinding]
        Findings in :data:`RULES` order; at most one per rule.
    """
    cfg = config or HoldRulesConfig()
    ctx = context or HoldContext()
    if rules is not None:
        for name in rules:
            _check_rule_name(name)
    out: list[HoldFinding] = []
    for name, rule in RULES.items():
        if rules is not None and name not in rules:
            continue
        params = getattr(cfg.rules, name)
        if params.enabled:
            out.extend(rule(order, ctx, params, cfg))
    return out
