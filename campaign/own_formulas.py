"""The formulas of a unit's own-target rows (RIENG): the unit picks the rule kind from the list
and types its goal; the row computes its value, %, status, progress and checks like a campaign
row (campaign/formulas.py), with the goal read by formulas instead of the definition.

The goal is read without the program's text-to-number conversion, digit by digit (`FIND` of
each character in "0123456789"), by a hidden helper row under the own rows (one per own row,
key "#RIENGn"), so each of the row's formulas reads the goal from a cell instead of parsing it
again. The helper reads only what the engine (`assessment._own_target`, `_goal_numbers`) reads
the same way, and shows nothing for anything else:

- a number typed as a number, at most one decimal, below 10 000;
- text: up to two of ≥ > ≤ < = in front, a % behind, one or two numbers of digits with at most
  one decimal comma (no dots, no spaces, no sign), two numbers joined by -, –, … or "đến".

A goal is kept as an integer g = goal × 10, so a threshold is the exact fraction g/10 and every
comparison stays cross-multiplied in integers below 10^14, as on campaign rows. The rule kind is
matched with EXACT against the list's labels (or the kind's code), as the engine matches it.
Anything the helper does not read shows no status, and the check column says so
(`cong_thuc.khong_tinh`); Kiểm tra decides it. `computed_by_formula` says in Python what the
helper decides (the LibreOffice test holds the two together), so Kiểm tra knows which of its
lines the row's formulas already show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from campaign import layout as L
from campaign.definition import RULE_KINDS, STATUS_CHUA_CO, STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, Target
from campaign.figures import PCT_PLACES, VALUE_PLACES
from campaign.findings import FC
from campaign.formulas import (
    Expr,
    Formula,
    Refs,
    _check,
    _decimals,
    _figure,
    _Input,
    _or,
    _relations,
    lit,
    message,
    months_expr,
    vn,
)
from campaign.rules import BEHIND, ON_TRACK

OWN_KINDS = tuple(k for k in RULE_KINDS if k != "level")  # the helper's kind cell: index + 1
GOAL_SCALE = 10  # goals are read with at most one decimal: a threshold is g/10
GOAL_LIMIT = 100_000  # g below this: goals below 10 000
# the helper row's cells, by the report column they sit in: none is an entry column (Lấy về
# writes those), a computed column (Tính tiến độ writes those) or the check column
HELPER = {
    "target": "stt",
    "kind": "code",
    "text": "name",
    "part1": "unit",
    "part2": "rule",
    "g1": "goal",
    "g2": "input_a_label",
    "ok": "input_b_label",
    # and in columns Tính tiến độ writes only where the sheet has no formulas (as campaign rows)
    "shown_a": "value",
    "shown_b": "pct_plan",
    "comma1": "pct_prev",
    "comma2": "status",
}
SEPARATORS = ("đến", "–", "…", "-")  # as the engine splits a range (dots are not read here)
OPERATORS = "≥>≤<="
PART_CHARS = 6  # five digits and a comma at most
TWO_INPUTS = ("ratio_min", "growth_range", "rate_min", "rate_strict")
ONE_INPUT = ("value_range", "count_max")
RANGES = ("growth_range", "value_range")
RATES = ("rate_min", "rate_strict")


@dataclass(frozen=True)
class OwnRefs:
    """A1 references of an own row's cells (by column key) and of its helper row's cells (by
    helper name), and the information sheet's period cell."""

    row: dict[str, str]
    helper: dict[str, str]
    period: str


def _kind_is(h: dict[str, str], rules: tuple[str, ...]) -> str:
    return _or([f"{h['kind']}={OWN_KINDS.index(r) + 1}" for r in rules])


def _present(x: str) -> str:
    return f'IF(ISERROR({x}),TRUE,LEN(TRIM({x}&""))>0)'


def _strip(x: str) -> str:
    """The goal text as the engine reads it: operators in front and a % behind dropped."""
    for _ in range(2):
        x = f'IF(ISNUMBER(FIND(LEFT({x},1),"{OPERATORS}")),TRIM(MID({x},2,200)),{x})'
    return f'IF(LEN({x})=0,"",IF(EXACT(MID({x},LEN({x}),1),"%"),TRIM(LEFT({x},LEN({x})-1)),{x}))'


def _part(s: str, first: bool) -> str:
    """The first or second number's text (the second is the number 0 when there is no separator)."""
    out = s if first else "0"
    for sep in reversed(SEPARATORS):
        at = f'FIND("{sep}",{s})'
        take = f"TRIM(LEFT({s},{at}-1))" if first else f"TRIM(MID({s},{at}+{len(sep)},200))"
        out = f"IF(ISNUMBER({at}),{take},{out})"
    return out


def _pow10(e: str) -> str:
    out = "0"
    for n in reversed(range(PART_CHARS)):
        out = f"IF({e}={n},{10**n},{out})"
    return out


def _comma(p: str) -> str:
    return f'IF(ISTEXT({p}),IF(ISNUMBER(FIND(",",{p})),FIND(",",{p}),0),0)'


def _read(p: str, comma: str) -> str:
    """A number's text as g = number × 10, or -1 when it is not digits with at most one decimal
    (`comma`: the cell holding the position of its comma, 0 for none)."""
    n = f"LEN({p})"
    chars = [f'OR({i}>{n},ISNUMBER(FIND(MID({p},{i},1),"0123456789,")))' for i in range(1, PART_CHARS + 1)]
    valid = (
        f"AND({n}>=1,{','.join(chars)},{comma}<>1,"
        f'IF({comma}=0,{n}<=4,AND({n}-{comma}=1,{n}<={PART_CHARS},NOT(ISNUMBER(FIND(",",{p},{comma}+1))))))'
    )
    digits = "+".join(
        f'IF(OR({i}>{n},{i}={comma}),0,(FIND(MID({p},{i},1),"0123456789")-1)'
        f"*{_pow10(f'{n}-{i}-IF(AND({comma}>0,{i}<{comma}),1,0)')})"
        for i in range(1, PART_CHARS + 1)
    )
    return f"IF(NOT(ISTEXT({p})),-1,IF({valid},({digits})*IF({comma}=0,10,1),-1))"


def helper_formulas(refs: OwnRefs) -> dict[str, Formula]:
    """The helper row's formulas, by helper name."""
    r, h = refs.row, refs.helper
    rule, goal = r["rule"], r["goal"]
    kind = "0"
    for i, code in reversed(list(enumerate(OWN_KINDS, 1))):
        kind = f"IF(OR(EXACT({rule},{lit(RULE_KINDS[code].label)}),EXACT({rule},{lit(code)})),{i},{kind})"
    numeric = (
        f"IF(AND({goal}>=0,ROUND({goal},1)={goal},{goal}*{GOAL_SCALE}<{GOAL_LIMIT}),ROUND({goal}*{GOAL_SCALE},0),-1)"
    )
    need2 = _kind_is(h, RANGES)
    ok = (
        f"AND({h['kind']}>0,{_present(r['code'])},{_present(r['name'])},{_present(r['input_a_label'])},"
        f"{h['g1']}>=0,IF({need2},AND({h['g2']}>=0,{h['g1']}<={h['g2']}),{h['g2']}=-2),"
        f"IF({_kind_is(h, RATES)},{h['g1']}<={100 * GOAL_SCALE},TRUE),"
        f"IF({_kind_is(h, ('rank_max',))},{h['g1']}>={GOAL_SCALE},TRUE),"
        f"IF({_kind_is(h, TWO_INPUTS)},{_present(r['input_b_label'])},TRUE))"
    )
    code = r["code"]
    return {
        "target": Formula(f'=IF(ISERROR({code}),"",IF(LEN(TRIM({code}&""))=0,{r["stt"]}&"",LEFT(TRIM({code}&""),20)))'),
        "kind": Formula(f"=IF(ISTEXT({rule}),{kind},0)"),
        "text": Formula(f'=IF(ISTEXT({goal}),{_strip(f"TRIM({goal})")},"")'),
        "part1": Formula("=" + _part(h["text"], True)),
        "part2": Formula("=" + _part(h["text"], False)),
        "g1": Formula(f"=IF(ISLOGICAL({goal}),-1,IF(ISNUMBER({goal}),{numeric},{_read(h['part1'], h['comma1'])}))"),
        "g2": Formula(f"=IF(ISNUMBER({h['part2']}),-2,{_read(h['part2'], h['comma2'])})"),
        "comma1": Formula("=" + _comma(h["part1"])),
        "comma2": Formula("=" + _comma(h["part2"])),
        "shown_a": Formula(f'=IF(ISNUMBER({r["input_a"]}),{vn(r["input_a"])},"")'),
        "shown_b": Formula(f'=IF(ISNUMBER({r["input_b"]}),{vn(r["input_b"])},"")'),
        "ok": Formula(f"=IF({ok},1,0)"),
    }


@dataclass
class _Plan:
    vuot: str
    dat: str
    value: tuple[str, str]
    pct_plan: tuple[str, str] | None
    pct_prev: tuple[str, str] | None
    on_track: str


def _plan(rule: str, a: str, b: str, k: int, months: str, g1: str, g2: str) -> _Plan:
    """As `formulas._plan` with the threshold g1/10 (or the range g1/10 - g2/10) read from cells."""
    q = GOAL_SCALE
    v2, p1 = 10 ** (VALUE_PLACES + 2), 10 ** (PCT_PLACES + 4)
    if rule == "ratio_min":
        dat = f"{b}*{100 * q}>={g1}*{a}"
        return _Plan(
            f"{b}*{100 * q}>{g1}*{a}",
            dat,
            (f"{b}*{v2}", a),
            (f"{b}*{p1 * q}", f"{a}*{g1}"),
            (f"{b}*{10 ** (PCT_PLACES + 2)}", a),
            f"{b}*{1200 * q}>={g1}*{months}*{a}",
        )
    if rule == "growth_range":
        dat = f"{b}*{100 * q}>=({100 * q}+{g1})*{a}"
        return _Plan(
            f"{b}*{100 * q}>({100 * q}+{g2})*{a}",
            dat,
            (f"({b}-{a})*{v2}", a),
            (f"{b}*{p1 * q}", f"{a}*({100 * q}+{g1})"),
            (f"{b}*{10 ** (PCT_PLACES + 2)}", a),
            dat,
        )
    scale = 10**k
    if rule in ("rank_max", "count_max"):
        dat = f"{a}*{q}<={g1}*{scale}"
        return _Plan("FALSE", dat, (f"{a}*100", str(scale)), None, None, dat)
    if rule == "value_range":
        dat = f"{a}*{q}>={g1}*{scale}"
        pct = (f"{a}*{q * 10 ** (PCT_PLACES + 2)}", f"{g1}*{scale}")
        return _Plan(f"{a}*{q}>{g2}*{scale}", dat, (f"{a}*100", str(scale)), pct, None, dat)
    over = f"{a}*{100 * q}>{g1}*{b}"
    strict = rule == "rate_strict"
    vuot = "FALSE" if strict else f"AND({g1}<{100 * q},{over})"
    dat = over if strict else f"{a}*{100 * q}>={g1}*{b}"
    return _Plan(vuot, dat, (f"{a}*{v2}", b), (f"{a}*{p1 * q}", f"{b}*{g1}"), None, "")


# the largest factor an input is multiplied by, per group, with g below GOAL_LIMIT
_MULTIPLIER = {
    "two": max(10 ** (PCT_PLACES + 4) * GOAL_SCALE, 1200 * GOAL_SCALE, 12 * GOAL_LIMIT),
    "one": max(GOAL_SCALE * 10 ** (PCT_PLACES + 2), 100),
    "rank": 100,
}
_GROUPS = {"two": TWO_INPUTS, "one": ONE_INPUT, "rank": ("rank_max",)}


@dataclass
class _Group:
    rules: tuple[str, ...]
    inputs: list[_Input]
    cases: list[tuple[str, str, str]]
    relations: list[tuple[str, str]]  # (condition, message), each already limited to its rules
    k: int


def _group(name: str, refs: OwnRefs, target: Expr, localities: int) -> _Group:
    r, h = refs.row, refs.helper
    rules = _GROUPS[name]
    probe = Target(code="", name="", unit="", rule=rules[0], inputs=("",) * RULE_KINDS[rules[0]].n_inputs)
    k, limit = _decimals(probe, _MULTIPLIER[name])
    whole = name == "rank"
    labels = [Expr(f'TRIM({r[c]}&"")') for c in ("input_a_label", "input_b_label")]
    inputs = [
        _Input(r[ref], label, whole, k, limit, localities if whole else None, h[shown])
        for ref, label, shown in list(zip(("input_a", "input_b"), labels, ("shown_a", "shown_b")))[
            : probe.kind.n_inputs
        ]
    ]
    per_input = [i.cases(target) for i in inputs]
    nodata = [_or([c for c, kind, _ in cs if kind == "nodata"]) for cs in per_input]
    relations: list[tuple[str, str]] = []
    for sub in (RATES, ("ratio_min", "growth_range")) if name == "two" else ():
        t = Target(code=target, name="", unit="", rule=sub[0], inputs=("", ""))
        relations += [(f"AND({_kind_is(h, sub)},{c})", m) for c, m in _relations(t, inputs, nodata)]
    return _Group(rules, inputs, [c for cs in per_input for c in cs], relations, k)


def own_formulas(campaign, refs: OwnRefs) -> dict[str, Formula]:
    """The value, % of the target, % of last year, status, on-track and check formulas of one
    own-target row, for whichever rule kind the unit picked."""
    h = refs.helper
    months = months_expr(campaign, refs.period)
    target = Expr(h["target"])
    groups = [_group(n, refs, target, campaign.localities) for n in _GROUPS]
    plans: dict[str, _Plan] = {}
    statuses = []
    for g in groups:
        scaled = [i.scaled for i in g.inputs] + ([""] if len(g.inputs) == 1 else [])
        for rule in g.rules:
            plans[rule] = _plan(rule, *scaled, g.k, months, h["g1"], h["g2"])
        decide = _dispatch(
            h,
            {
                rule: f'IF({plans[rule].vuot},"{STATUS_VUOT}",IF({plans[rule].dat},"{STATUS_DAT}","{STATUS_KHONG_DAT}"))'
                for rule in g.rules
            },
        )
        nodata = _or([c for c, kind, _ in g.cases if kind == "nodata"])
        unknown = _or([c for c, kind, _ in g.cases if kind == "unknown"])
        rel = _or([c for c, _ in g.relations])
        statuses.append(
            (g.rules, f'IF({nodata},"{STATUS_CHUA_CO}",IF({unknown},"",IF({rel},"{STATUS_CHUA_CO}",{decide})))')
        )
    ready = f"{h['ok']}=1"
    status = f'IF(NOT({ready}),"",{_dispatch(h, dict(statuses))})'
    return {
        "value": _figures(h, refs, plans, "value", VALUE_PLACES, ready),
        "pct_plan": _figures(h, refs, plans, "pct_plan", PCT_PLACES, ready),
        "pct_prev": _figures(h, refs, plans, "pct_prev", PCT_PLACES, ready),
        "status": Formula("=" + status),
        "on_track": Formula("=" + _track(h, refs, plans, months)),
        "check": Formula("=" + _check(_lines(refs, groups, ready))),
    }


def _dispatch(h: dict[str, str], by_rule: dict[str | tuple[str, ...], str], otherwise: str = '""') -> str:
    """The expression of whichever rule kind (or group of kinds) the helper read, else `otherwise`."""
    out = otherwise
    for rules, expr in reversed(list(by_rule.items())):
        out = f"IF({_kind_is(h, rules if isinstance(rules, tuple) else (rules,))},{expr},{out})"
    return out


def _figures(h, refs: OwnRefs, plans: dict[str, _Plan], key: str, places: int, ready: str) -> Formula:
    row_refs = Refs(refs.row["input_a"], refs.row["input_b"], refs.row["status"], refs.period)
    by_rule = {}
    for rule, plan in plans.items():
        n_d = getattr(plan, key)
        if n_d is None:
            continue
        fig = _figure(n_d, places, row_refs, rule)
        # a goal of 0 has no % of it
        by_rule[rule] = fig if key != "pct_plan" or rule == "growth_range" else f'IF({h["g1"]}=0,"",{fig})'
    return Formula(f'=IF(NOT({ready}),"",{_dispatch(h, by_rule)})')


def _track(h, refs: OwnRefs, plans: dict[str, _Plan], months: str) -> str:
    s = refs.row["status"]
    cond = _dispatch(h, {rule: p.on_track or f'{s}<>"{STATUS_KHONG_DAT}"' for rule, p in plans.items()}, "FALSE")
    return f'IF(OR({s}="",{s}="{STATUS_CHUA_CO}",{months}>=12),"",IF({cond},"{ON_TRACK}","{BEHIND}"))'


def _lines(refs: OwnRefs, groups: list[_Group], ready: str) -> list[tuple[str, str]]:
    """The check lines: each input check on the rules it belongs to (the same line said once),
    and, on a row the formulas cannot read, why."""
    r, h = refs.row, refs.helper
    rules_of: dict[tuple[str, str], list[str]] = {}
    for g in groups:
        for cond, _, msg in g.cases:
            if msg:
                rules_of.setdefault((cond, msg), []).extend(g.rules)
        for cond, msg in g.relations:
            rules_of.setdefault((cond, msg), []).extend(g.rules)
    lines = [(f"AND({ready},{_kind_is(h, tuple(rules))},{cond})", msg) for (cond, msg), rules in rules_of.items()]
    typed = _or([_present(r[c]) for c in ("code", "name", "rule", "goal", "input_a_label", "input_a", "input_b")])
    goal = f'LEFT(TRIM({r["goal"]}&""),40)'
    why = (
        f"IF({h['kind']}=0,{lit('chưa đọc được cách đánh giá (chọn trong danh sách thả xuống)')},"
        f'IF(OR({h["g1"]}<0,{h["g2"]}=-1),{lit("chưa đọc được mục tiêu ")}&IF(ISERROR({r["goal"]}),"",{goal})'
        f"&{lit(' (ghi số liền, phần thập phân một chữ số sau dấu phẩy, ví dụ 95, 97,5 hoặc 14 - 15)')},"
        f"{lit('chỉ tiêu riêng chưa đủ thông tin hoặc mục tiêu không hợp cách đánh giá')}))"
    )
    lines.append((f"AND(NOT({ready}),{typed})", message(FC.CONG_THUC_KHONG_TINH, Expr(h["target"]), detail=why)))
    return lines


def helper_key(own_key: str) -> str:
    """The row key of an own row's helper row."""
    return L.OWN_HELPER_PREFIX + own_key


def _trim(text: str) -> str:
    """As the spreadsheet's TRIM: spaces (only U+0020) off the ends, runs of them made one."""
    return re.sub(" +", " ", text).strip(" ")


def _read_part(p: str) -> int:
    comma = p.find(",") + 1
    digits = p.replace(",", "", 1)
    if not p or not digits.isdigit() or not digits.isascii() or comma == 1:
        return -1
    if comma == 0:
        return int(p) * GOAL_SCALE if len(p) <= 4 else -1
    return int(digits) if len(p) - comma == 1 and len(p) <= PART_CHARS else -1


def goal_read(goal: Any) -> tuple[int, int]:
    """(g1, g2) as the helper row reads a goal: g = number × 10, -1 unread, g2 -2 when one number."""
    if isinstance(goal, bool) or goal is None:
        return -1, -2
    if isinstance(goal, (int, float)):
        ok = goal >= 0 and round(goal, 1) == goal and goal * GOAL_SCALE < GOAL_LIMIT
        return (round(goal * GOAL_SCALE) if ok else -1), -2
    s = _trim(str(goal))
    for _ in range(2):
        s = _trim(s[1:]) if s[:1] and s[:1] in OPERATORS else s
    s = _trim(s[:-1]) if s.endswith("%") else s
    sep = next((x for x in SEPARATORS if x in s), None)
    if sep is None:
        return _read_part(s), -2
    at = s.find(sep)
    return _read_part(_trim(s[:at])), _read_part(_trim(s[at + len(sep) :]))


def computed_by_formula(values: dict[str, Any]) -> bool:
    """Whether an own row's formulas compute it (the helper's "ok"), from the row's values by
    column key: Kiểm tra then leaves the lines the formulas say to them."""
    rule = values.get("rule")
    kind = next((k for k in OWN_KINDS if rule in (RULE_KINDS[k].label, k)), None) if isinstance(rule, str) else None
    if kind is None:
        return False
    g1, g2 = goal_read(values.get("goal"))
    present = lambda c: values.get(c) is not None and _trim(str(values[c])) != ""
    labels = ("code", "name", "input_a_label") + (("input_b_label",) if kind in TWO_INPUTS else ())
    return (
        all(present(c) for c in labels)
        and g1 >= 0
        and ((g2 >= 0 and g1 <= g2) if kind in RANGES else g2 == -2)
        and (g1 <= 100 * GOAL_SCALE if kind in RATES else True)
        and (g1 >= GOAL_SCALE if kind == "rank_max" else True)
    )
