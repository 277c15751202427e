"""The metric expression grammar of a Personalize metric attribution.

The API documents two functions (MetricAttribute.expression)::

    expression := "SAMPLECOUNT()"
                | "SUM(" dataset "." column ")"
    dataset    := "Items" | "Interactions"          (case-insensitive: ITEMS, items, ...)
    column     := [A-Za-z_][A-Za-z0-9_]*            (an Avro field name)

Decisions where the documentation is silent, chosen to fail closed:

* Function names are upper case, as every documented example writes them; ``sum(...)``
  is reported (the dataset prefix is the only part documented as case-insensitive).
* Whitespace is not allowed anywhere (``SUM( Items.PRICE )``, ``SAMPLECOUNT ()``): no
  documented example has any, so a linter cannot promise the service accepts it.

``parse_expression`` returns a :class:`MetricExpression` or an :class:`ExpressionError`
carrying the 0-based character position of the first problem.

Sources: https://docs.aws.amazon.com/personalize/latest/dg/API_MetricAttribute.html and
https://docs.aws.amazon.com/personalize/latest/dg/creating-metric-attribution.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUM = "SUM"
SAMPLECOUNT = "SAMPLECOUNT"
FUNCTIONS = (SUM, SAMPLECOUNT)
# Canonical spelling of each dataset prefix, keyed by its lower-case form.
DATASETS = {"items": "Items", "interactions": "Interactions"}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class MetricExpression:
    """A parsed expression: ``SAMPLECOUNT()`` or ``SUM(<dataset>.<column>)``."""

    function: str  # SUM | SAMPLECOUNT
    dataset: str | None = None  # canonical: Items | Interactions
    column: str | None = None
    text: str = ""

    def __str__(self) -> str:
        if self.function == SAMPLECOUNT:
            return "SAMPLECOUNT()"
        return f"SUM({self.dataset}.{self.column})"


@dataclass(frozen=True)
class ExpressionError:
    """Why an expression does not parse; ``position`` is a 0-based character index."""

    message: str
    position: int
    text: str

    @property
    def column(self) -> int:
        """The 1-based character number, as people count."""
        return self.position + 1

    def describe(self) -> str:
        return f"{self.message} (at character {self.column})"

    def pointed(self) -> str:
        """The expression with a marker before the offending character."""
        return f"{self.text[:self.position]}\u2192{self.text[self.position:]}"


def parse_expression(text: object) -> MetricExpression | ExpressionError:
    if not isinstance(text, str):
        return ExpressionError("the expression is not a string", 0, str(text))
    if not text:
        return ExpressionError("the expression is empty", 0, text)
    for index, char in enumerate(text):
        if char.isspace():
            return ExpressionError(
                "whitespace is not part of the documented grammar "
                "(SAMPLECOUNT() or SUM(Items.COLUMN))", index, text)
    word = _WORD.match(text)
    if word is None:
        return ExpressionError("expected SUM( or SAMPLECOUNT(", 0, text)
    name = word.group()
    if name.upper() not in FUNCTIONS:
        return ExpressionError(
            f"unknown function {name!r}: only SUM and SAMPLECOUNT are available", 0, text)
    if name != name.upper():
        return ExpressionError(f"write the function in upper case: {name.upper()}", 0, text)
    pos = word.end()
    if not text.startswith("(", pos):
        return ExpressionError(f"expected '(' after {name}", pos, text)
    pos += 1
    if name == SAMPLECOUNT:
        if not text.startswith(")", pos):
            return ExpressionError("SAMPLECOUNT takes no argument: write SAMPLECOUNT()", pos,
                                   text)
        return _end(MetricExpression(SAMPLECOUNT, text=text), pos + 1, text)
    dataset = _WORD.match(text, pos)
    if dataset is None:
        return ExpressionError("expected a dataset type (Items or Interactions)", pos, text)
    canonical = DATASETS.get(dataset.group().lower())
    if canonical is None:
        return ExpressionError(
            f"unknown dataset type {dataset.group()!r}: SUM() sums a column of Items or "
            "Interactions", pos, text)
    pos = dataset.end()
    if not text.startswith(".", pos):
        return ExpressionError(f"expected '.' and a column name after {dataset.group()}",
                               pos, text)
    pos += 1
    column = _WORD.match(text, pos)
    if column is None:
        return ExpressionError("expected a column name", pos, text)
    pos = column.end()
    if not text.startswith(")", pos):
        return ExpressionError("expected ')' after the column name", pos, text)
    return _end(MetricExpression(SUM, canonical, column.group(), text), pos + 1, text)


def _end(parsed: MetricExpression, pos: int, text: str) -> MetricExpression | ExpressionError:
    if pos != len(text):
        return ExpressionError("unexpected text after the expression", pos, text)
    return parsed
