"""HTML output: one self-contained page for people (scheduled audits, CI artefacts).

* Self-contained: inline CSS, an inline SVG chart, no JavaScript, no fetched resource. A
  Content-Security-Policy in the page allows only that stylesheet (by its hash), so even a
  mistake in escaping could neither run a script nor load anything.
* Untrusted text (messages, paths, policy excerpts, plugin rule metadata) is escaped
  everywhere; control and bidirectional-override characters are shown as ``\\xNN``.
  The only URLs are rule documentation links (``Rule.source``), as plain anchors, and only
  for http(s) addresses.
* Polyglot markup: the page also parses as XML (void elements closed, attributes quoted).
* Deterministic: the one time in it is when the run started (SARIF's ``startTimeUtc``).
* Readable without CSS: headings, tables, and line markers in the excerpts (``>`` on the
  finding's lines, ``|`` on the rest of its statement).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from datetime import timezone

from ..findings import LEVEL_RANK, LEVELS, Finding
from ..location import Location
from ..rule import Rule
from .base import Report
from .excerpts import Excerpt, Excerpter, ExcerptLine
from .json_report import TOOL_NAME, count_levels, fingerprint, jsonable, level_of

# C0/C1 controls (but tab and newline), bidi overrides, surrogates and the non-characters
# XML forbids: shown as escapes, never written raw.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                     r"\ud800-\udfff\ufffe\uffff]")
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")
_LEVEL_COLOUR = {"error": "#b3261e", "warning": "#8a5a00", "note": "#1f5fa8"}
_GUTTER = {"finding": ">", "statement": "|", "context": " ", "gap": " "}
NO_SETUP = "(no set-up)"
UNKNOWN = "—"

CSS = """\
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;\
background:#fff;max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin-bottom:.3rem}
h2{font-size:1.3rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.1rem;margin:.6rem 0}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
code{overflow-wrap:anywhere}
.level{display:inline-block;min-width:4.6em;padding:0 .35em;border-radius:3px;color:#fff;\
font-size:.75rem;font-weight:600;text-align:center;text-transform:uppercase}
.level-error{background:#b3261e}.level-warning{background:#8a5a00}.level-note{background:#1f5fa8}
.facts dt{font-weight:600;float:left;clear:left;min-width:9rem}
.facts dd{margin:0 0 .2rem 9rem}
.rule{border:1px solid #d0d7de;border-radius:6px;padding:.2rem 1rem .6rem;margin:1rem 0}
.rule-text dt{font-weight:600}
.rule-text dd{margin:0 0 .4rem 1.2rem}
.rule-text dd p{margin:0 0 .3rem}
.findings{padding-left:1.6rem}
.finding{border-top:1px solid #eaeef2;padding:.5rem 0}
.message{margin:.3rem 0;overflow-wrap:anywhere}
.details{margin:.2rem 0;font-size:.9em}
.details dt{float:left;clear:left;min-width:6.5rem;color:#57606a}
.details dd{margin:0 0 .1rem 6.5rem}
figure{margin:.4rem 0}
figcaption{font-size:.85em;color:#57606a}
pre{background:#f6f8fa;border:1px solid #eaeef2;border-radius:4px;padding:.5rem;\
overflow-x:auto;line-height:1.35}
.ln{color:#8c959f}
.gut{color:#8c959f}
.statement{background:#fff8c5}
.finding-line{background:#ffebe9}
.finding-line .gut{color:#b3261e;font-weight:700}
mark{background:#ffc9c2;color:inherit;outline:1px solid #e5534b}
.gap{color:#8c959f}
.muted{color:#57606a}
svg.chart{max-width:100%;height:auto}
"""
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
# Nothing may load or run but the stylesheet above (a meta CSP cannot set frame-ancestors).
CSP = (f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; "
       "form-action 'none'")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def esc(text: object) -> str:
    """Text or attribute content: escaped, with unsafe characters shown as escapes."""
    return html.escape(_UNSAFE.sub(_visible, str(text)), quote=True)


def esc_lines(text: str) -> str:
    """Multi-line text (messages, rule text) with line breaks kept, CSS or not."""
    text = text.replace("\r\n", "\n")
    return "<br/>".join(esc(line) for line in text.split("\n"))


def esc_paragraphs(text: str) -> str:
    """Rule text: paragraphs at blank lines; single line breaks are source wrapping."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "".join(f"<p>{esc(' '.join(p.split()))}</p>" for p in paragraphs if p.strip())


def safe_url(url: str) -> str | None:
    """An http(s) URL fit for an href, or None (a plugin's source may be anything)."""
    if re.fullmatch(r"https?://[^\s\"'<>\\`]+", url, flags=re.IGNORECASE) and not _UNSAFE.search(
            url):
        return url
    return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _counts_text(counts: dict[str, int]) -> str:
    if not any(counts.values()):
        return "no problems"
    return ", ".join(_plural(counts[level], level) for level in LEVELS)


def arn_account_region(arn: str | None) -> tuple[str, str]:
    parts = (arn or "").split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "", ""
    return parts[4], parts[3]


class _Places:
    """Account and region of each set-up and finding, for the summary tables."""

    def __init__(self, report: Report) -> None:
        self.setups: dict[str, tuple[str, str]] = {}
        inventory = report.inventory
        for setup in inventory.setups if inventory is not None else ():
            account, region = arn_account_region(setup.location.arn)
            self.setups.setdefault(setup.name, (account, setup.location.region or region))

    def of(self, finding: Finding) -> tuple[str, str]:
        if finding.setup in self.setups:
            return self.setups[finding.setup]
        loc = finding.location
        account, region = arn_account_region(loc.arn)
        return account, loc.region or region


class _Tally:
    """Active findings per level, and suppressed ones, for one summary row."""

    def __init__(self) -> None:
        self.levels: Counter[str] = Counter()
        self.suppressed = 0

    def add(self, finding: Finding, report: Report) -> None:
        if finding.suppression is None:
            self.levels[level_of(finding, report.rules)] += 1
        else:
            self.suppressed += 1

    def cells(self) -> str:
        cells = [self.levels[level] for level in LEVELS]
        cells += [sum(self.levels.values()), self.suppressed]
        return "".join(f'<td class="n">{n}</td>' for n in cells)


_COUNT_HEADS = "".join(f'<th class="n">{h}</th>' for h in (*LEVELS, "total", "suppressed"))


def render_page(report: Report) -> str:
    """Every finding of the JSON report, suppressed ones in their own section
    (``--format html``: ``builtin.HtmlFormat``)."""
    return _Page(report).render()


class _Page:
    """One report's page; reads each excerpted file at most once."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.excerpter = Excerpter(report.root, report.inventory)
        self.by_rule = _by_rule(report)
        self.anchors = _rule_anchors(self.by_rule)

    def render(self) -> str:
        report = self.report
        counts = count_levels(report)
        title = f"{TOOL_NAME} {report.command}: {_counts_text(counts)}"
        parts = [
            "<!DOCTYPE html>\n",
            '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head>\n',
            '<meta charset="utf-8"/>\n',
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}"/>\n',
            '<meta name="referrer" content="no-referrer"/>\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n',
            f'<meta name="generator" content="{esc(TOOL_NAME)} {esc(report.tool_version)}"/>\n',
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            self._header(counts),
            "<main>\n",
            self._summary(),
            self._chart(),
            self._findings(),
            self._suppressed(),
            self._notes(),
            "</main>\n",
            f'<footer><p class="muted">{esc(TOOL_NAME)} {esc(report.tool_version)}</p>'
            "</footer>\n</body>\n</html>\n",
        ]
        return "".join(parts)

    # --- header and summary --------------------------------------------------------------

    def _header(self, counts: dict[str, int]) -> str:
        report = self.report
        started = report.started
        if started.tzinfo is None:  # naive means UTC, as in SARIF
            started = started.replace(tzinfo=timezone.utc)
        started = started.astimezone(timezone.utc)
        checked = [_plural(report.files_checked, "file")]
        if report.command == "audit" and not report.files_checked:
            checked = []  # an audit reads accounts, not files
        if report.setups_checked or report.command == "audit":
            checked.append(_plural(report.setups_checked, "set-up"))
        facts = [
            ("Command", esc(report.command)),
            ("Started", f'<time datetime="{started:%Y-%m-%dT%H:%M:%SZ}">'
                        f"{started:%Y-%m-%d %H:%M:%S} UTC</time>"),
            ("Checked", esc(", ".join(checked))),
            ("Result", f"{esc(_counts_text(counts))} (fails on {esc(report.fail_on)}; "
                       f"exit code {report.exit_code})"),
        ]
        rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        return (f"<header>\n<h1>{esc(TOOL_NAME)} {esc(report.command)} report</h1>\n"
                f'<dl class="facts">{rows}</dl>\n</header>\n')

    def _summary(self) -> str:
        report = self.report
        places = _Places(report)
        total = _Tally()
        by_place: dict[tuple[str, str], _Tally] = {}
        by_setup: dict[str, _Tally] = {name: _Tally() for name in places.setups}
        for place in places.setups.values():
            by_place.setdefault(place, _Tally())
        for finding in report.findings:
            total.add(finding, report)
            by_place.setdefault(places.of(finding), _Tally()).add(finding, report)
            by_setup.setdefault(finding.setup or NO_SETUP, _Tally()).add(finding, report)
        out = ['<section id="summary">\n<h2>Summary</h2>\n',
               f"<table><thead><tr><th>Findings</th>{_COUNT_HEADS}</tr></thead>"
               f"<tbody><tr><th>All</th>{total.cells()}</tr></tbody></table>\n"]
        if any(account or region for account, region in by_place):
            out.append("<h3>By account and region</h3>\n<table><thead><tr><th>Account</th>"
                       f"<th>Region</th>{_COUNT_HEADS}</tr></thead><tbody>")
            for (account, region), tally in sorted(by_place.items(), key=_place_order):
                out.append(f"<tr><td>{esc(account or UNKNOWN)}</td><td>{esc(region or UNKNOWN)}"
                           f"</td>{tally.cells()}</tr>")
            out.append("</tbody></table>\n")
        if by_setup:
            out.append("<h3>By set-up</h3>\n<table><thead><tr><th>Set-up</th><th>Account</th>"
                       f"<th>Region</th>{_COUNT_HEADS}</tr></thead><tbody>")
            for name, tally in sorted(by_setup.items(), key=lambda i: (i[0] == NO_SETUP, i[0])):
                account, region = places.setups.get(name, ("", ""))
                out.append(f"<tr><td>{esc(name)}</td><td>{esc(account or UNKNOWN)}</td>"
                           f"<td>{esc(region or UNKNOWN)}</td>{tally.cells()}</tr>")
            out.append("</tbody></table>\n")
        out.append("</section>\n")
        return "".join(out)

    # --- chart ---------------------------------------------------------------------------

    def _chart(self) -> str:
        report, rows = self.report, self.by_rule
        if not rows:
            return ""
        label_width, bar_width, count_width, bar_height, step = 96, 440, 48, 16, 24
        width = label_width + bar_width + count_width
        height = step * len(rows) + 8
        peak = max(len(findings) for _, findings in rows)
        out = ['<section id="chart">\n<h2>Findings per rule</h2>\n',
               '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
               f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
               'font-family="sans-serif" font-size="12">'
               '<title>Active findings per rule, by level</title>']
        for i, (rule_id, findings) in enumerate(rows):
            y = 4 + i * step
            levels = Counter(level_of(f, report.rules) for f in findings)
            out.append(f'<a href="#{self.anchors[rule_id]}"><text x="{label_width - 8}" '
                       f'y="{y + 12}" text-anchor="end" fill="#1b1b1b">{esc(rule_id)}</text></a>')
            x = float(label_width)
            for level in LEVELS:
                if levels[level]:
                    w = max(levels[level] / peak * bar_width, 2.0)
                    out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                               f'fill="{_LEVEL_COLOUR[level]}"><title>{esc(rule_id)}: '
                               f"{_plural(levels[level], level)}</title></rect>")
                    x += w
            out.append(f'<text x="{x + 6:.1f}" y="{y + 12}" fill="#1b1b1b">{len(findings)}'
                       "</text>")
        out.append("</svg>\n</section>\n")
        return "".join(out)

    # --- findings ------------------------------------------------------------------------

    def _findings(self) -> str:
        report, rows = self.report, self.by_rule
        out = ['<section id="findings">\n<h2>Findings by rule</h2>\n']
        if not rows:
            out.append(f"<p>No problems found in {esc(_plural(report.files_checked, 'file'))}"
                       ".</p>\n")
        for rule_id, findings in rows:
            rule = report.rules.get(rule_id)
            top = max((level_of(f, report.rules) for f in findings), key=LEVEL_RANK.__getitem__)
            title = f"{rule_id}: {rule.title}" if rule else rule_id
            out.append(f'<section class="rule" id="{self.anchors[rule_id]}">\n'
                       f'<h3>{_badge(top)} {esc(title)} <span class="muted">'
                       f"({_plural(len(findings), 'finding')})</span></h3>\n")
            if rule is not None:
                out.append(_rule_text(rule))
            out.append('<ol class="findings">\n')
            out.extend(self._finding(f, excerpt=True) for f in findings)
            out.append("</ol>\n</section>\n")
        out.append("</section>\n")
        return "".join(out)

    def _suppressed(self) -> str:
        hidden = [f for f in self.report.findings if f.suppression is not None]
        if not hidden:
            return ""
        out = ['<section id="suppressed">\n<h2>Suppressed findings</h2>\n',
               "<p>Hidden by a suppression or the baseline; they do not count towards the exit "
               'code.</p>\n<ol class="findings">\n']
        out.extend(self._finding(f, excerpt=False) for f in hidden)
        out.append("</ol>\n</section>\n")
        return "".join(out)

    def _notes(self) -> str:
        report = self.report
        if not report.notes:
            return ""
        items = "".join(f"<li>{esc_lines(note)}</li>" for note in report.notes)
        return f'<section id="notes">\n<h2>Notes</h2>\n<ul>{items}</ul>\n</section>\n'

    def _finding(self, finding: Finding, *, excerpt: bool) -> str:
        level = level_of(finding, self.report.rules)
        loc = finding.location
        rule_id = f'<code class="rule-id">{esc(finding.rule_id)}</code>'
        if finding.suppression is not None:  # listed apart from its rule's section
            anchor = self.anchors.get(finding.rule_id)
            rule = self.report.rules.get(finding.rule_id)
            if anchor is not None:
                rule_id = f'<a href="#{anchor}">{rule_id}</a>'
            if rule is not None:
                rule_id += f" {esc(rule.title)}"
        head = [_badge(level), rule_id, f'<code class="location">{esc(_where(loc))}</code>']
        if finding.setup:
            head.append(f'<span class="setup">set-up <b>{esc(finding.setup)}</b></span>')
        out = [f'<li class="finding" data-rule="{esc(finding.rule_id)}" data-level="{level}" '
               f'data-fingerprint="{fingerprint(finding)}">\n'
               f'<p class="where">{" ".join(head)}</p>\n'
               f'<p class="message">{esc_lines(finding.message)}</p>\n']
        details = _details(finding)
        if details:
            out.append(f'<dl class="details">{details}</dl>\n')
        if excerpt:
            found = self.excerpter.excerpt(loc)
            if found is not None:
                out.append(_excerpt(found))
        out.append("</li>\n")
        return "".join(out)


def _place_order(item: tuple[tuple[str, str], _Tally]) -> tuple[bool, str, bool, str]:
    (account, region), _ = item
    return (not account, account, not region, region)


def _by_rule(report: Report) -> list[tuple[str, list[Finding]]]:
    """Active findings per rule: the most severe rules first, then by ID."""
    groups: dict[str, list[Finding]] = {}
    for finding in report.active:
        groups.setdefault(finding.rule_id, []).append(finding)

    def order(item: tuple[str, list[Finding]]) -> tuple[int, str]:
        rule_id, findings = item
        top = max(LEVEL_RANK[level_of(f, report.rules)] for f in findings)
        return (-top, rule_id)

    return sorted(groups.items(), key=order)


def _rule_anchors(by_rule: list[tuple[str, list[Finding]]]) -> dict[str, str]:
    """A unique element id per rule section (a plugin's rule IDs may hold any character)."""
    anchors: dict[str, str] = {}
    taken: set[str] = set()
    for rule_id in sorted(rule_id for rule_id, _ in by_rule):
        base = "rule-" + (_SLUG.sub("-", rule_id) or "x")
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        anchors[rule_id] = anchor
    return anchors


def _badge(level: str) -> str:
    return f'<span class="level level-{esc(level)}">{esc(level)}</span>'


def _where(loc: Location) -> str:
    where = loc.describe()
    if loc.arn and not loc.path and loc.region:
        where += f" ({loc.region})"
    return where


def _rule_text(rule: Rule) -> str:
    parts = [f"<dt>Why</dt><dd>{esc_paragraphs(rule.why)}</dd>",
             f"<dt>How to fix</dt><dd>{esc_paragraphs(rule.fix)}</dd>"]
    if rule.example:
        parts.append(f"<dt>Example</dt><dd><pre>{esc(rule.example)}</pre></dd>")
    if rule.source:
        url = safe_url(rule.source)
        link = (f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>' if url
                else f"<code>{esc(rule.source)}</code>")
        parts.append(f"<dt>Documentation</dt><dd>{link}</dd>")
    return f'<dl class="rule-text">{"".join(parts)}</dl>\n'


def _details(finding: Finding) -> str:
    loc = finding.location
    rows: list[tuple[str, str]] = []
    if loc.pointer:
        rows.append(("Pointer", f"<code>{esc(loc.pointer)}</code>"))
    if loc.logical_id:
        rows.append(("Resource", f"<code>{esc(loc.logical_id)}</code>"))
    if loc.arn and loc.path:
        rows.append(("ARN", f"<code>{esc(loc.arn)}</code>"))
    if finding.related:
        items = "".join(f"<li><code>{esc(_related(r))}</code></li>" for r in finding.related)
        rows.append(("Related", f"<ul>{items}</ul>"))
    if finding.suppression is not None:
        sup = finding.suppression
        rows.append(("Suppressed", f"{esc(sup.justification)} ({esc(sup.kind)})"))
    if finding.properties:
        text = json.dumps(finding.properties, ensure_ascii=False, sort_keys=True,
                          default=jsonable)
        rows.append(("Properties", f"<code>{esc(text)}</code>"))
    return "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)


def _related(loc: Location) -> str:
    where = _where(loc)
    return f"{where} {loc.pointer}" if loc.pointer else where


def _excerpt(excerpt: Excerpt) -> str:
    width = max((len(str(line.number)) for line in excerpt.lines), default=1)
    rendered = [_excerpt_line(line, width) for line in excerpt.lines]
    note = f' <span class="muted">{esc(excerpt.note)}</span>' if excerpt.note else ""
    body = f"<pre>{chr(10).join(rendered)}</pre>" if rendered else ""
    return (f'<figure class="excerpt"><figcaption><code>{esc(excerpt.title)}</code>{note}'
            f"</figcaption>{body}</figure>\n")


def _excerpt_line(line: ExcerptLine, width: int) -> str:
    if line.role == "gap":
        return f'<span class="gap">{" " * width}   …</span>'
    number = f'<span class="ln">{line.number:>{width}}</span>'
    gutter = f'<span class="gut">{esc(_GUTTER[line.role])}</span>'
    text = line.text
    if line.mark is not None:
        start, end = line.mark
        body = f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"
    else:
        body = esc(text)
    css = {"finding": "finding-line", "statement": "statement"}.get(line.role)
    content = f"{number} {gutter} {body}"
    return f'<span class="{css}">{content}</span>' if css else content
