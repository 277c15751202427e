"""The metric expression grammar: SAMPLECOUNT() | SUM(<Items|Interactions>.<COLUMN>)."""

from __future__ import annotations

import pytest

from personalize_lint.personalize.expressions import (
    ExpressionError,
    MetricExpression,
    parse_expression,
)


@pytest.mark.parametrize(
    ("text", "function", "dataset", "column"),
    [
        ("SAMPLECOUNT()", "SAMPLECOUNT", None, None),
        ("SUM(Items.PRICE)", "SUM", "Items", "PRICE"),
        ("SUM(ITEMS.PRICE)", "SUM", "Items", "PRICE"),
        ("SUM(items.PRICE)", "SUM", "Items", "PRICE"),
        ("SUM(Interactions.EVENT_VALUE)", "SUM", "Interactions", "EVENT_VALUE"),
        ("SUM(INTERACTIONS.EVENT_VALUE)", "SUM", "Interactions", "EVENT_VALUE"),
        ("SUM(Items.LENGTH)", "SUM", "Items", "LENGTH"),
        ("SUM(Items.margin_2)", "SUM", "Items", "margin_2"),
    ],
)
def test_good_expressions(text: str, function: str, dataset: str | None,
                          column: str | None) -> None:
    parsed = parse_expression(text)
    assert isinstance(parsed, MetricExpression)
    assert (parsed.function, parsed.dataset, parsed.column) == (function, dataset, column)
    assert parsed.text == text


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("", 0, "empty"),
        ("string", 0, "unknown function"),
        ("COUNT()", 0, "unknown function"),
        ("AVG(Items.PRICE)", 0, "unknown function"),
        ("sum(Items.PRICE)", 0, "upper case"),
        ("SampleCount()", 0, "upper case"),
        ("SUM(DatasetType.COLUMN_NAME)", 4, "unknown dataset type"),
        ("SUM(Users.AGE)", 4, "unknown dataset type"),
        ("SUM(Items.PRICE", 15, "expected ')'"),
        ("SUM(Items PRICE)", 9, "whitespace"),
        ("SUM( Items.PRICE )", 4, "whitespace"),
        ("SAMPLECOUNT ()", 11, "whitespace"),
        (" SAMPLECOUNT()", 0, "whitespace"),
        ("SUM(Items.)", 10, "column name"),
        ("SUM(Items)", 9, "expected '.'"),
        ("SUM(.PRICE)", 4, "dataset type"),
        ("SUM Items.PRICE", 3, "whitespace"),
        ("SUMItems.PRICE", 0, "unknown function"),
        ("SAMPLECOUNT(Items.PRICE)", 12, "takes no argument"),
        ("SAMPLECOUNT()x", 13, "unexpected text"),
        ("SUM(Items.PRICE)+1", 16, "unexpected text"),
        ("SUM(Items.1PRICE)", 10, "column name"),
        ("(SAMPLECOUNT())", 0, "expected SUM( or SAMPLECOUNT("),
    ],
)
def test_bad_expressions_give_a_position(text: str, position: int, words: str) -> None:
    parsed = parse_expression(text)
    assert isinstance(parsed, ExpressionError), parsed
    assert parsed.position == position
    assert words in parsed.message
    assert f"at character {position + 1}" in parsed.describe()


def test_non_string_is_an_error() -> None:
    assert isinstance(parse_expression(None), ExpressionError)
    assert isinstance(parse_expression(42), ExpressionError)


def test_pointed_marks_the_position() -> None:
    parsed = parse_expression("SUM(Items PRICE)")
    assert isinstance(parsed, ExpressionError)
    assert parsed.pointed() == "SUM(Items\u2192 PRICE)"
    assert parsed.column == 10


def test_str_is_canonical() -> None:
    parsed = parse_expression("SUM(ITEMS.PRICE)")
    assert str(parsed) == "SUM(Items.PRICE)"
    assert str(parse_expression("SAMPLECOUNT()")) == "SAMPLECOUNT()"
