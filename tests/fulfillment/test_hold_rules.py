"""The hold rules engine: every rule on and off, its parameters at their boundaries, properties.

The base order ``ok()`` passes every rule of the shipped configuration (``config/hold-rules.yaml``);
each test breaks one thing and checks that exactly the expected rule fires, and that it stays
quiet when switched off.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.errors import ConfigError
from wms.fulfillment.holds import (
    RULES,
    CustomerIndex,
    DuplicateCustomerParams,
    HoldContext,
    HoldRulesConfig,
    KnownCustomer,
    classify_comment,
    customer_similarity,
    evaluate,
    hold_rules_from_dict,
    load_hold_rules,
    normalize_email,
    normalize_name,
    normalize_phone,
)
from wms.fulfillment.intake import Address, Customer, IncomingLine, IncomingOrder

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_hold_rules(ROOT / "config" / "hold-rules.yaml")
SKUS = frozenset({"S1", "S2", "S3"})


def ok(**changes: object) -> IncomingOrder:
    """A paid domestic order of known SKUs with a complete address and no comment."""
    base = IncomingOrder(
        reference_id="R-1",
        channel="shop",
        lines=(IncomingLine("S1", 2), IncomingLine("S2", 1)),
        customer=Customer("Jan Kowalski", "jan.kowalski@gmail.com", "600 100 200"),
        address=Address("Polna 1", "Poznań", "60-001", "PL"),
        payment_method="card",
        payment_status="paid",
        carrier="DPD",
        value=Decimal("100.00"),
        currency="PLN",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def ctx(**changes: object) -> HoldContext:
    base = HoldContext(known_skus=SKUS, available_units={"S1": 10, "S2": 10, "S3": 0})
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def rules_of(
    order: IncomingOrder, context: HoldContext | None = None, config: HoldRulesConfig = SHIPPED
) -> list[str]:
    return [f.rule for f in evaluate(order, context or ctx(), config)]


def with_params(rule: str, **params: object) -> HoldRulesConfig:
    """The shipped configuration with some parameters of ``rule`` changed."""
    section = getattr(SHIPPED.rules, rule).model_copy(update=params)
    return SHIPPED.model_copy(update={"rules": SHIPPED.rules.model_copy(update={rule: section})})


def off(rule: str) -> HoldRulesConfig:
    return with_params(rule, enabled=False)


def test_the_base_order_passes_every_rule() -> None:
    assert SHIPPED.enabled() == list(RULES)
    assert evaluate(ok(), ctx(), SHIPPED) == []


def test_defaults_without_a_file_are_sane() -> None:
    assert rules_of(ok(), config=HoldRulesConfig()) == ["customer_comment"] * 0
    assert HoldRulesConfig().rules.foreign_value_limit.limit == Decimal(15000)


# -- payment_not_confirmed -------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", None, "unpaid", "PAID?"])
def test_unconfirmed_payment_is_held(status: str | None) -> None:
    order = ok(payment_status=status)
    assert rules_of(order) == ["payment_not_confirmed"]
    assert rules_of(order, config=off("payment_not_confirmed")) == []


def test_accepted_statuses_are_a_parameter_and_case_insensitive() -> None:
    assert rules_of(ok(payment_status="PAID")) == []
    cfg = with_params("payment_not_confirmed", accepted_statuses=["settled"])
    assert rules_of(ok(payment_status="paid"), config=cfg) == ["payment_not_confirmed"]
    assert rules_of(ok(payment_status="settled"), config=cfg) == []


def test_cash_on_delivery_passes_only_if_allowed() -> None:
    order = ok(payment_method="cod", payment_status="pending")
    assert rules_of(order) == []
    cfg = with_params("payment_not_confirmed", allow_cash_on_delivery=False)
    (finding,) = evaluate(order, ctx(), cfg)
    assert (
        finding.rule == "payment_not_confirmed"
        and "cash on delivery is not allowed" in finding.detail
    )


# -- payment_not_accepted_by_carrier ---------------------------------------------------------


def test_carrier_that_does_not_take_the_payment_method() -> None:
    order = ok(carrier="InPost", payment_method="cod")  # COD passes payment_not_confirmed
    (finding,) = evaluate(order, ctx(), SHIPPED)
    assert finding.rule == "payment_not_accepted_by_carrier"
    assert "InPost does not accept payment method 'cod'" in finding.detail
    assert rules_of(order, config=off("payment_not_accepted_by_carrier")) == []
    assert rules_of(ok(carrier="inpost", payment_method="CARD")) == []


def test_unknown_carrier_holds_or_passes_as_configured() -> None:
    order = ok(carrier="Pony Express")
    assert rules_of(order) == []
    cfg = with_params("payment_not_accepted_by_carrier", unknown_carrier="hold")
    assert rules_of(order, config=cfg) == ["payment_not_accepted_by_carrier"]


# -- foreign_value_limit ---------------------------------------------------------------------


def abroad(value: str, currency: str = "PLN") -> IncomingOrder:
    return ok(
        address=Address("Hauptstr. 1", "Berlin", "10115", "DE"),
        value=Decimal(value),
        currency=currency,
    )


def test_foreign_limit_boundary_in_home_currency() -> None:
    assert rules_of(abroad("15000.00")) == []
    assert rules_of(abroad("15000.01")) == ["foreign_value_limit"]
    assert rules_of(abroad("15000.01"), config=off("foreign_value_limit")) == []


def test_domestic_orders_have_no_limit() -> None:
    assert rules_of(ok(value=Decimal("1000000"))) == []
    cfg = SHIPPED.model_copy(update={"home_country": "DE"})
    assert rules_of(ok(value=Decimal("15000.01")), config=cfg) == ["foreign_value_limit"]


def test_foreign_limit_converts_currency() -> None:
    # 3488.37 EUR * 4.30 = 14999.99 PLN; 3488.38 EUR = 15000.03 PLN
    assert rules_of(abroad("3488.37", "EUR")) == []
    (finding,) = evaluate(abroad("3488.38", "EUR"), ctx(), SHIPPED)
    assert finding.rule == "foreign_value_limit" and "15000.03 PLN" in finding.detail


def test_foreign_limit_is_a_parameter() -> None:
    cfg = with_params("foreign_value_limit", limit=Decimal(500))
    assert rules_of(abroad("500"), config=cfg) == []
    assert rules_of(abroad("500.01"), config=cfg) == ["foreign_value_limit"]


def test_foreign_order_in_a_currency_without_rate_is_held() -> None:
    cfg = with_params("incomplete_content", currencies=[])
    (finding,) = evaluate(abroad("10", "JPY"), ctx(), cfg)
    assert finding.rule == "foreign_value_limit" and "no conversion rate" in finding.detail


# -- incomplete_content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"address": Address(None, "Poznań", "60-001", "PL")}, "address street is missing"),
        ({"address": Address("Polna 1", "", "60-001", "PL")}, "address city is missing"),
        (
            {"address": Address("Polna 1", "Poznań", "60001", "PL")},
            "postal code '60001' is not valid for PL",
        ),
        (
            {"address": Address("Polna 1", "Poznań", "60-001", "Poland")},
            "not a two-letter ISO code",
        ),
        ({"address": Address()}, "address country is missing"),
        ({"customer": Customer(None, "a@b.pl")}, "customer name is missing"),
        ({"customer": Customer("Jan")}, "neither e-mail nor phone"),
        ({"lines": (IncomingLine("S9", 1),)}, "unknown SKU S9"),
        ({"lines": (IncomingLine("S1", 1001),)}, "quantity 1001 of S1 is above 1000"),
        ({"value": None}, "order value is missing"),
        ({"currency": None}, "order value has no currency"),
        ({"currency": "BTC"}, "currency 'BTC' is not one of"),
    ],
)
def test_incomplete_content(changes: dict[str, object], text: str) -> None:
    order = ok(**changes)
    findings = evaluate(order, ctx(available_units={"S1": 5000, "S2": 10}), SHIPPED)
    assert [f.rule for f in findings] == ["incomplete_content"]
    assert text in findings[0].detail
    assert rules_of(order, ctx(available_units=None), off("incomplete_content")) == []


def test_incomplete_content_collects_all_problems_in_one_hold() -> None:
    (finding,) = evaluate(ok(address=Address(), lines=(IncomingLine("X", 1),)), ctx(), SHIPPED)
    assert "street" in finding.detail and "unknown SKU X" in finding.detail
    assert "address.street" in finding.data["fields"]  # type: ignore[operator]


def test_quantity_limit_boundary_and_parameters() -> None:
    assert rules_of(ok(lines=(IncomingLine("S1", 1000),)), ctx(available_units={"S1": 5000})) == []
    cfg = with_params("incomplete_content", max_qty_per_line=5)
    assert rules_of(ok(lines=(IncomingLine("S1", 5),)), config=cfg) == []
    assert rules_of(ok(lines=(IncomingLine("S1", 6),)), config=cfg) == ["incomplete_content"]
    cfg = with_params(
        "incomplete_content", check_unknown_sku=False, required_address_fields=["country"]
    )
    assert (
        rules_of(
            ok(lines=(IncomingLine("S9", 1),), address=Address(country="PL")),
            ctx(available_units=None),
            cfg,
        )
        == []
    )


def test_unknown_sku_check_needs_a_catalogue() -> None:
    order = ok(lines=(IncomingLine("S9", 1),))
    assert rules_of(order, ctx(known_skus=None, available_units=None)) == []


# -- duplicate_customer ----------------------------------------------------------------------

KNOWN = KnownCustomer(
    "C-7",
    name="Jan Kowalski",
    email="jankowalski@gmail.com",
    phone="+48600100200",
    address=Address("Polna 1", "Poznan", "60-001", "PL"),
    channel="allegro",
)


def test_duplicate_customer_by_normalised_email_and_phone() -> None:
    order = ok(
        customer=Customer("J. Kowalski", "Jan.Kowalski+shop@googlemail.com", "0048 600-100-200")
    )
    (finding,) = evaluate(order, ctx(customers=[KNOWN]), SHIPPED)
    assert finding.rule == "duplicate_customer"
    assert finding.data["customer_id"] == "C-7" and finding.data["score"] == 100.0
    assert "C-7 (allegro)" in finding.detail
    assert rules_of(order, ctx(customers=[KNOWN]), off("duplicate_customer")) == []


def test_fuzzy_duplicate_needs_the_threshold() -> None:
    other = KnownCustomer(
        "C-8",
        name="Jan Kowalsky",
        email="jk@example.com",
        phone="+48111222333",
        address=Address("Polna 1", "Poznań", "60-001", "PL"),
    )
    score, fields = customer_similarity(ok().customer, ok().address, other)
    assert 50 < score < 100 and set(fields) == {"name", "email", "phone", "address"}
    at = with_params("duplicate_customer", threshold=score)
    above = with_params("duplicate_customer", threshold=min(100.0, score + 0.01))
    assert rules_of(ok(), ctx(customers=[other]), at) == ["duplicate_customer"]
    assert rules_of(ok(), ctx(customers=[other]), above) == []


def test_strangers_are_not_duplicates() -> None:
    stranger = KnownCustomer(
        "C-9",
        "Maria Lewandowska",
        "maria@example.com",
        "+48 700 800 900",
        Address("Morska 12", "Gdynia", "81-001", "PL"),
    )
    assert rules_of(ok(), ctx(customers=[stranger])) == []
    # the same name alone (one field) is not enough with min_fields=2
    namesake = KnownCustomer("C-10", name="Jan Kowalski")
    assert rules_of(ok(), ctx(customers=[namesake])) == []
    cfg = with_params("duplicate_customer", min_fields=1)
    assert rules_of(ok(), ctx(customers=[namesake]), cfg) == ["duplicate_customer"]


def test_exact_identifiers_are_a_parameter() -> None:
    same_mail = KnownCustomer("C-11", name="Someone Else", email="JanKowalski@gmail.com")
    assert rules_of(ok(), ctx(customers=[same_mail])) == ["duplicate_customer"]
    cfg = with_params("duplicate_customer", exact_identifiers=[])
    assert rules_of(ok(), ctx(customers=[same_mail]), cfg) == []


def test_best_match_is_reported() -> None:
    weak = KnownCustomer(
        "C-1", name="Jan Kowalski", address=Address("Polna 3", "Poznań", "60-001", "PL")
    )
    (finding,) = evaluate(ok(), ctx(customers=[weak, KNOWN]), SHIPPED)
    assert finding.data["customer_id"] == "C-7"


def test_normalisation_examples() -> None:
    assert normalize_email(" Jan.Kowalski+ebay@GoogleMail.com ") == "jankowalski@gmail.com"
    assert normalize_email("j.k+x@example.com") == "j.k@example.com"
    assert normalize_phone("+48 600-100-200") == "+48600100200"
    assert normalize_phone("0048600100200") == "+48600100200"
    assert normalize_phone("600 100 200") == "+48600100200"
    assert normalize_phone("0600100200") == "+48600100200"
    assert normalize_phone("600100200", "49", 9) == "+49600100200"
    assert normalize_phone("n/a") == ""
    assert normalize_name("  Łukasz  Żółć-Wiśniewski ") == "lukasz zolc wisniewski"


@given(st.text())
def test_email_normalisation_is_idempotent(text: str) -> None:
    once = normalize_email(text)
    assert normalize_email(once) == once


@given(
    st.text(alphabet=st.sampled_from("0123456789+ -()/x")),
    st.sampled_from(["48", "1", "420"]),
    st.integers(4, 12),
)
def test_phone_normalisation_is_idempotent(text: str, code: str, length: int) -> None:
    once = normalize_phone(text, code, length)
    assert normalize_phone(once, code, length) == once
    assert once == "" or (once[0] == "+" and once[1:].isdigit())


@given(st.text())
def test_name_normalisation_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


# -- customer_comment ------------------------------------------------------------------------

COMMENTS = SHIPPED.rules.customer_comment


@pytest.mark.parametrize(
    ("comment", "verdict", "pattern"),
    [
        ("Please send the blue one instead of red", "hold", "instead_of"),
        ("can I change the size to M?", "hold", "change"),
        ("Please CANCEL this order", "hold", "cancel"),
        ("different colour please", "hold", "other_variant"),
        ("poproszę zielony zamiast czerwonego", "hold", "zamiast"),
        ("thank you, and blue instead of red", "hold", "instead_of"),
        ("please ship fast", "pass", "ship_fast"),
        ("Thank you!", "pass", "thanks"),
        ("leave at door if not home", "pass", "leave_at_door"),
        ("dziękuję", "pass", "thanks"),
        ("the cat says hi", "hold", None),
        ("", "none", None),
        (None, "none", None),
    ],
)
def test_comment_classifier(comment: str | None, verdict: str, pattern: str | None) -> None:
    assert classify_comment(comment, COMMENTS) == (verdict, pattern)


def test_comment_hold_names_the_pattern_and_can_be_switched_off() -> None:
    order = ok(comment="red instead of blue")
    (finding,) = evaluate(order, ctx(), SHIPPED)
    assert finding.rule == "customer_comment" and "'instead_of'" in finding.detail
    assert rules_of(order, config=off("customer_comment")) == []
    assert rules_of(ok(comment="please ship fast")) == []


def test_unknown_comment_default_is_a_parameter() -> None:
    order = ok(comment="the cat says hi")
    assert rules_of(order) == ["customer_comment"]
    assert rules_of(order, config=with_params("customer_comment", unknown="pass")) == []


def test_comment_patterns_are_data() -> None:
    cfg = hold_rules_from_dict(
        {
            "rules": {
                "customer_comment": {
                    "hold_patterns": [{"name": "gift_wrap", "pattern": "gift ?wrap"}],
                    "unknown": "pass",
                }
            }
        }
    )
    (finding,) = evaluate(ok(comment="Please GIFTWRAP it"), ctx(), cfg.only("customer_comment"))
    assert finding.data["pattern"] == "gift_wrap"


# -- stock_shortage --------------------------------------------------------------------------


def test_stock_shortage_boundary() -> None:
    order = ok(lines=(IncomingLine("S1", 2), IncomingLine("S1", 3)))
    assert rules_of(order, ctx(available_units={"S1": 5})) == []
    (finding,) = evaluate(order, ctx(available_units={"S1": 4}), SHIPPED)
    assert finding.rule == "stock_shortage" and finding.data["missing_units"] == {"S1": 1}
    assert rules_of(order, ctx(available_units={"S1": 4}), off("stock_shortage")) == []
    assert rules_of(ok(lines=(IncomingLine("S3", 1),))) == ["stock_shortage"]  # S3: 0 available
    assert rules_of(order, ctx(available_units=None)) == []


# -- the engine ------------------------------------------------------------------------------


def test_an_order_collects_several_holds() -> None:
    order = ok(payment_status="pending", comment="change to XL", lines=(IncomingLine("S3", 1),))
    assert rules_of(order) == ["payment_not_confirmed", "customer_comment", "stock_shortage"]
    assert [f.rule for f in evaluate(order, ctx(), SHIPPED, rules=["stock_shortage"])] == [
        "stock_shortage"
    ]


def test_only_and_unknown_rule_names() -> None:
    order = ok(payment_status="pending", comment="change to XL")
    assert rules_of(order, config=SHIPPED.only("customer_comment")) == ["customer_comment"]
    with pytest.raises(
        ValueError, match="unknown hold rule 'nope'; choose one of: payment_not_confirmed"
    ):
        SHIPPED.only("nope")


orders = st.builds(
    IncomingOrder,
    reference_id=st.text(min_size=1).filter(str.strip),
    channel=st.sampled_from(["shop", "allegro"]),
    lines=st.lists(
        st.builds(IncomingLine, st.sampled_from(["S1", "S2", "S3", "S9"]), st.integers(1, 5000)),
        min_size=1,
        max_size=4,
    ).map(tuple),
    customer=st.builds(
        Customer,
        st.none() | st.text(),
        st.none() | st.emails(),
        st.none() | st.text("0123456789 +"),
    ),
    address=st.builds(
        Address,
        st.none() | st.text(),
        st.none() | st.text(),
        st.none() | st.text(),
        st.none() | st.sampled_from(["PL", "DE", "X", ""]),
    ),
    payment_method=st.none() | st.sampled_from(["card", "cod", "blik"]),
    payment_status=st.none() | st.sampled_from(["paid", "pending"]),
    carrier=st.none() | st.sampled_from(["DPD", "InPost", "UPS"]),
    value=st.none() | st.decimals(0, 10**6, places=2),
    currency=st.none() | st.sampled_from(["PLN", "EUR", "JPY"]),
    comment=st.none() | st.text(),
)


@settings(max_examples=150, deadline=None)
@given(orders)
def test_all_rules_off_gives_no_holds(order: IncomingOrder) -> None:
    context = ctx(customers=[KNOWN])
    assert evaluate(order, context, SHIPPED.all_off()) == []
    findings = evaluate(order, context, SHIPPED)
    assert len({f.rule for f in findings}) == len(findings)  # at most one finding per rule
    assert all(f.rule in RULES and f.detail for f in findings)


@settings(max_examples=100, deadline=None)
@given(orders, st.sampled_from(list(RULES)))
def test_switching_one_rule_off_removes_exactly_its_findings(
    order: IncomingOrder, rule: str
) -> None:
    context = ctx(customers=[KNOWN])
    full = [f.rule for f in evaluate(order, context, SHIPPED)]
    assert [f.rule for f in evaluate(order, context, off(rule))] == [r for r in full if r != rule]


# -- configuration files ---------------------------------------------------------------------


def test_empty_config_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("", encoding="utf-8")
    assert load_hold_rules(path) == HoldRulesConfig()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rules:\n  no_such_rule: {enabled: true}\n",
            "unknown setting 'rules.no_such_rule'; known rules: payment_not_confirmed",
        ),
        ("rules:\n  foreign_value_limit: {limit: -1}\n", "rules.foreign_value_limit.limit"),
        (
            "rules:\n  customer_comment:\n    hold_patterns: [{name: x, pattern: '(unclosed'}]\n",
            "not a regular expression",
        ),
        ("rules:\n  duplicate_customer: {threshold: 101}\n", "rules.duplicate_customer.threshold"),
        ("rules: [\n", "invalid YAML"),
        ("home_country: Poland\n", "home_country"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_bad_config_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_hold_rules(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_hold_rules(tmp_path / "nope.yaml")


# -- the bulk index against the slow reference -----------------------------------------------

_NAMES = ["Jan Kowalski", "J. Kowalski", "Anna Nowak", "Ann Nowak", "Piotr Wiśniewski", ""]
_MAILS = [
    "jan.kowalski@gmail.com",
    "jankowalski+x@gmail.com",
    "anna@example.com",
    "a.nowak@wp.pl",
    "",
]
_PHONES = ["600 100 200", "+48600100200", "601222333", "0048 601 222 334", ""]
_STREETS = ["Polna 1", "Polna 3", "Lipowa 5", ""]
_CITIES = ["Poznań", "Poznan", "Kraków", ""]


def _maybe(draw: st.DrawFn, values: list[str]) -> str | None:
    return draw(st.sampled_from(values)) or None


@st.composite
def known_customers(draw: st.DrawFn, k: int) -> KnownCustomer:
    return KnownCustomer(
        f"C-{k}",
        _maybe(draw, _NAMES),
        _maybe(draw, _MAILS),
        _maybe(draw, _PHONES),
        Address(_maybe(draw, _STREETS), _maybe(draw, _CITIES), None, _maybe(draw, ["PL", ""])),
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=0, max_size=12).flatmap(
        lambda ks: st.tuples(*(known_customers(k) for k in range(len(ks))))
    ),
    known_customers(-1),
    st.sampled_from([0.0, 50.0, 80.0, 90.0, 100.0]),
    st.integers(1, 3),
)
def test_customer_index_scores_like_the_reference(
    known: tuple[KnownCustomer, ...], buyer: KnownCustomer, threshold: float, min_fields: int
) -> None:
    params = DuplicateCustomerParams(threshold=threshold, min_fields=min_fields)
    customer = Customer(buyer.name, buyer.email, buyer.phone)
    index = CustomerIndex(known, params)
    expected = [customer_similarity(customer, buyer.address, c, params)[0] for c in known]
    assert index.scores(customer, buyer.address, params).tolist() == expected
    best = index.best_match(customer, buyer.address, params)
    hits = [(s, -k) for k, s in enumerate(expected) if s >= threshold]
    if not hits:
        assert best is None
    else:
        score, minus_k = max(hits)
        assert best == (known[-minus_k], score)
