"""The unit workbook's own formulas, as plain text generated from the campaign definition.

A unit with only Excel, LibreOffice, WPS or Google Sheets sees its value, % of the target,
status and progress without the add-in. The formulas decide as `campaign/rules.py` does:

- in integers only. A threshold is the exact fraction p/q of the definition, inputs with
  decimals are scaled to integers (ROUND(x*10^k,0)) and the comparison is cross-multiplied
  (97,5 %: 1000*a >= 975*b, after reducing to 200*a >= 195*b). Every product stays below 10^14,
  where the programs' own tolerance on comparisons (LibreOffice 2^-48, Excel 15 digits) cannot
  merge two integers; a larger figure shows nothing and says why;
- never with the program's text-to-number conversion (VALUE, "--", NUMBERVALUE): it follows
  the program's language ('1.200' is 1,2 in English LibreOffice and 1 200 in Vietnamese). A
  number typed as text shows no status and the check column says why;
- with only the functions listed in docs/cong-thuc.md, which every one of those programs
  evaluates alike (no dynamic arrays, nothing volatile, no macros).

The engine stays the authority: nothing reads these results back (see `tampered` for the one
thing read: whether the formula is still there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from campaign.definition import STATUS_CHUA_CO, STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, Campaign, Target
from campaign.figures import AT_MOST, PCT_PLACES, VALUE_PLACES
from campaign.findings import FC, Finding, FindingCode
from campaign.rules import BEHIND, ON_TRACK

SAFE = 10**14  # products below this are exact and told apart by every program
MAX_DECIMALS = 4
LITERAL = 250  # Excel refuses a string constant over 255 characters
FORMULA_COLS = ("value", "pct_plan", "pct_prev", "status", "on_track", "check")
# Kiểm tra's findings that a row's check formula shows itself, in the same words
FORMULA_CODES = frozenset(
    {
        FC.CHI_TIEU_THIEU_SO_LIEU,
        FC.SO_AM,
        FC.SO_KHONG_NGUYEN,
        FC.CHI_TIEU_TU_SO_LON_HON_MAU_SO,
        FC.CHI_TIEU_MAU_SO_BANG_0,
        FC.CHI_TIEU_THU_HANG,
        FC.CHI_TIEU_MUC_DO,
    }
)


class Formula(str):
    """A plan value that is a formula (writers write it as one; any other text stays text)."""


class Expr(str):
    """Text a message takes from a cell (an own target's code or label), not a constant."""


def text_of(x: str) -> str:
    """A message field: an `Expr` as it is, any other text as a constant."""
    return x if isinstance(x, Expr) else lit(x)


@dataclass(frozen=True)
class Refs:
    """Where a target row's cells are: A1 references on the report sheet."""

    a: str
    b: str
    status: str
    period: str  # the period cell on the information sheet, with its sheet name


def lit(text: str) -> str:
    """A string constant, cut into pieces Excel accepts."""
    if not text:
        return '""'
    parts = [text[i : i + LITERAL] for i in range(0, len(text), LITERAL)]
    return "&".join('"' + p.replace('"', '""') + '"' for p in parts)


def message(code: FindingCode, target: str, **exprs: str) -> str:
    """A catalogue line ("Lỗi: … → …") as a formula expression: fields given as expressions."""
    if isinstance(target, Expr):  # an own target: its code is read from its row
        exprs = {**exprs, "target": target}
        target = "\x01target\x01"
    marks = {k: f"\x01{k}\x01" for k in exprs if k != "target"}
    line = Finding.make(code, target=target, **marks).line()
    out = []
    for i, part in enumerate(re.split("\x01", line)):
        if i % 2:
            out.append(f"({exprs[part]})")
        elif part:
            out.append(lit(part))
    return "&".join(out)


def vn(x: str, whole: bool = False) -> str:
    """A number as the catalogue prints it (1.234.567,5), without TEXT's language-bound formats;
    `whole`: the cell holds a whole number, so no decimals are printed."""
    i = f"INT(ABS({x}))"
    groups = (
        f'IF({i}>=1000000000,INT({i}/1000000000)&"."&TEXT(MOD(INT({i}/1000000),1000),"000")&"."'
        f'&TEXT(MOD(INT({i}/1000),1000),"000")&"."&TEXT(MOD({i},1000),"000"),'
        f'IF({i}>=1000000,INT({i}/1000000)&"."&TEXT(MOD(INT({i}/1000),1000),"000")&"."&TEXT(MOD({i},1000),"000"),'
        f'IF({i}>=1000,INT({i}/1000)&"."&TEXT(MOD({i},1000),"000"),TEXT({i},"0"))))'
    )
    f4 = f"ROUND((ABS({x})-{i})*10000,0)"
    s = f'TEXT({f4},"0000")'
    frac = (
        f'IF({f4}=0,"",","&IF(MOD({f4},1000)=0,LEFT({s},1),IF(MOD({f4},100)=0,LEFT({s},2),'
        f"IF(MOD({f4},10)=0,LEFT({s},3),{s}))))"
    )
    return f'IF({x}<0,"-","")&{groups}' + ("" if whole else f"&{frac}")


def _or(parts: list[str]) -> str:
    parts = [p for p in parts if p != "FALSE"]
    if not parts:
        return "FALSE"
    return parts[0] if len(parts) == 1 else f"OR({','.join(parts)})"


def _num(x: str, cond: str) -> str:
    return f"IF(ISNUMBER({x}),{cond},FALSE)"


@dataclass
class _Input:
    ref: str
    label: str
    whole: bool
    k: int  # decimals scaled away
    limit: int  # largest figure kept exact
    localities: int | None = None  # a rank's range
    shown: str | None = None  # a cell that already prints this input as the messages do

    def show(self, whole: bool) -> str:
        # a whole input is said only once it is known to be whole, so either way prints alike
        return self.shown or vn(self.ref, whole)

    @property
    def scaled(self) -> str:
        return self.ref if self.whole or self.k == 0 else f"ROUND({self.ref}*{10**self.k},0)"

    def blank(self) -> str:
        return f'IF(ISERROR({self.ref}),FALSE,LEN(TRIM({self.ref}&""))=0)'

    def text(self) -> str:
        return f"IF(ISTEXT({self.ref}),LEN(TRIM({self.ref}))>0,FALSE)"

    def cases(self, target: str) -> list[tuple[str, str, str]]:
        """(condition, "nodata" | "unknown", message expression or "") in the engine's order."""
        x = self.ref
        out = [
            (f"ISERROR({x})", "nodata", ""),
            (self.blank(), "nodata", message(FC.CHI_TIEU_THIEU_SO_LIEU, target, label=text_of(self.label))),
            (self.text(), "unknown", message(FC.CONG_THUC_O_CHU, target, detail=f"LEFT(TRIM({x}),40)")),
            (f"ISLOGICAL({x})", "nodata", message(FC.SO_KHONG_PHAI_SO, target, detail=f'IF({x},"TRUE","FALSE")')),
        ]
        # on a number, the first that holds is the one Kiểm tra says (it stops at the first)
        numeric: list[tuple[str, str, str]] = []
        if self.whole:
            numeric.append((f"INT({x})<>{x}", "nodata", message(FC.SO_KHONG_NGUYEN, target, detail=self.show(False))))
        numeric.append((f"{x}<0", "nodata", message(FC.SO_AM, target, value=self.show(self.whole))))
        if self.localities:
            numeric.append(
                (
                    f"OR({x}<1,{x}>{self.localities})",
                    "nodata",
                    message(FC.CHI_TIEU_THU_HANG, target, value=self.show(True), localities=lit(str(self.localities))),
                )
            )
        if not self.whole:
            why = f"số liệu có quá {self.k} chữ số thập phân" if self.k else "số liệu có phần thập phân"
            numeric.append(
                (f"ROUND({x},{self.k})<>{x}", "unknown", message(FC.CONG_THUC_KHONG_TINH, target, detail=lit(why)))
            )
        big = lit("số liệu quá lớn để bảng tính tính chính xác")
        numeric.append((f"ABS({x})>{self.limit}", "unknown", message(FC.CONG_THUC_KHONG_TINH, target, detail=big)))
        before: list[str] = []
        for cond, kind, msg in numeric:
            out.append((_num(x, f"AND({cond},NOT({_or(before)}))" if before else cond), kind, msg))
            before.append(cond)
        return out


def _frac(x) -> tuple[int, int]:
    f = Fraction(str(x))
    return f.numerator, f.denominator


@dataclass
class _Plan:
    """One kind's integer expressions: Vượt and Đạt conditions, figures as (n, d) at their
    places, and the on-track condition."""

    vuot: str
    dat: str
    value: tuple[str, str] | None
    pct_plan: tuple[str, str] | None
    pct_prev: tuple[str, str] | None
    on_track: str
    multiplier: int  # the largest factor an input is multiplied by


def _plan(t: Target, a: str, b: str, k: int, months: str) -> _Plan:
    v2, p1 = 10 ** (VALUE_PLACES + 2), 10 ** (PCT_PLACES + 4)
    if t.rule == "ratio_min":  # a reference, b actual
        p, q = _frac(t.threshold)
        pct = (f"{b}*{p1 * q}", f"{a}*{p}") if p > 0 else None
        return _Plan(
            f"{b}*{100 * q}>{p}*{a}",
            f"{b}*{100 * q}>={p}*{a}",
            (f"{b}*{v2}", a),
            pct,
            (f"{b}*{10 ** (PCT_PLACES + 2)}", a),
            f"{b}*{1200 * q}>={p}*{months}*{a}",
            max(p1 * q, 1200 * q, 12 * p),
        )
    if t.rule == "growth_range":  # a last year, b this year
        pl, ql = _frac(t.low)
        ph, qh = _frac(t.high)
        base = 100 * ql + pl
        dat = f"{b}*{100 * ql}>={base}*{a}"
        pct = (f"{b}*{p1 * ql}", f"{a}*{base}") if base > 0 else None
        return _Plan(
            f"{b}*{100 * qh}>{100 * qh + ph}*{a}",
            dat,
            (f"({b}-{a})*{v2}", a),
            pct,
            (f"{b}*{10 ** (PCT_PLACES + 2)}", a),
            dat,
            max(p1 * ql, v2, 100 * qh + abs(ph), abs(base)),
        )
    scale = 10**k
    if t.rule in AT_MOST:
        p, q = _frac(t.threshold)
        dat = f"{a}*{q}<={p * scale}"
        return _Plan("FALSE", dat, (f"{a}*100", str(scale)), None, None, dat, max(q, 100))
    if t.rule == "value_range":
        pl, ql = _frac(t.low)
        ph, qh = _frac(t.high)
        dat = f"{a}*{ql}>={pl * scale}"
        pct = (f"{a}*{ql * 10 ** (PCT_PLACES + 2)}", str(pl * scale)) if pl > 0 else None
        return _Plan(f"{a}*{qh}>{ph * scale}", dat, (f"{a}*100", str(scale)), pct, None, dat, max(ql * 1000, qh, 100))
    # rate_min, rate_strict: a numerator, b denominator
    p, q = _frac(t.threshold)
    strict = t.rule == "rate_strict"
    over = f"{a}*{100 * q}>{p}*{b}"
    pct = (f"{a}*{p1 * q}", f"{b}*{p}") if p > 0 else None
    vuot = "FALSE" if strict or Fraction(p, q) >= 100 else over
    return _Plan(
        vuot, over if strict else f"{a}*{100 * q}>={p}*{b}", (f"{a}*{v2}", b), pct, None, "", max(p1 * q, 100 * q, p)
    )


def _decimals(t: Target, multiplier: int) -> tuple[int, int]:
    """(decimals kept, largest figure kept exact) for this target's inputs."""
    if t.integer_inputs or t.rule == "rank_max":
        return 0, SAFE // multiplier
    # the plausible bands are generous (a commune's product up to 10^8 triệu): decimals are kept
    # for figures up to 10^7, and a larger figure typed says it is left to Kiểm tra
    biggest = min(max((int(m) for m in t.plausible_max if m is not None), default=10**6), 10**7)
    k = MAX_DECIMALS
    while k > 0 and biggest * 10**k * multiplier > SAFE:
        k -= 1
    return k, SAFE // (10**k * multiplier)


def months_expr(campaign: Campaign, period: str) -> str:
    """The period's months from the information sheet's period cell (12 when unknown, as Kiểm tra)."""
    p = f"TRIM({period})"
    out = "12"
    for per in reversed(campaign.periods):
        out = f"IF(OR(EXACT({p},{lit(per.code)}),EXACT({p},{lit(per.name)})),{per.months},{out})"
    return out


def _figure(n_d: tuple[str, str] | None, places: int, refs: Refs, rule: str) -> str:
    if n_d is None:
        return '""'
    n, d = n_d
    s = refs.status
    unit = 10**places
    floor, ceil = f"INT(({n})/({d}))/{unit}", f"-INT(-({n})/({d}))/{unit}"
    nearest = f"INT((2*({n})+({d}))/(2*({d})))/{unit}"
    if rule in AT_MOST:
        body = f'IF({s}="{STATUS_KHONG_DAT}",{ceil},{floor})'
    else:
        up = f'OR({s}="{STATUS_VUOT}",{s}="{STATUS_DAT}")' if rule == "rate_strict" else f'{s}="{STATUS_VUOT}"'
        body = f'IF({s}="{STATUS_KHONG_DAT}",{floor},IF({up},{ceil},{nearest}))'
    return f'IF(OR({s}="",{s}="{STATUS_CHUA_CO}"),"",{body})'


def target_formulas(campaign: Campaign, t: Target, refs: Refs) -> dict[str, Formula]:
    """The value, % of the target, % of last year, status, on-track and check formulas of one
    campaign target's row. Kept with the campaign (which never changes): every workbook of a
    shape asks for the same rows, and each Kiểm tra of a file compares against them."""
    return dict(campaign.cached(("formulas", t.code, refs), lambda: _target_formulas(campaign, t, refs)))


def _target_formulas(campaign: Campaign, t: Target, refs: Refs) -> dict[str, Formula]:
    if t.rule == "level":
        return _level_formulas(campaign, t, refs)
    months = months_expr(campaign, refs.period)
    probe = _plan(t, "a", "b", 0, "m")
    k, limit = _decimals(t, probe.multiplier)
    whole = t.integer_inputs or t.rule == "rank_max"
    inputs = [
        _Input(ref, label, whole, k, limit, campaign.localities if t.rule == "rank_max" else None)
        for ref, label in zip((refs.a, refs.b), t.inputs)
    ]
    plan = _plan(t, *[i.scaled for i in inputs], *([""] if len(inputs) == 1 else []), k, months)
    per_input = [i.cases(t.code) for i in inputs]
    cases = [c for cs in per_input for c in cs]
    rel = _relations(t, inputs, [_or([c for c, kind, _ in cs if kind == "nodata"]) for cs in per_input])
    nodata = _or([c for c, kind, _ in cases if kind == "nodata"])
    unknown = _or([c for c, kind, _ in cases if kind == "unknown"])
    rel_nodata = _or([c for c, _ in rel])
    decide = f'IF({plan.vuot},"{STATUS_VUOT}",IF({plan.dat},"{STATUS_DAT}","{STATUS_KHONG_DAT}"))'
    status = f'IF({nodata},"{STATUS_CHUA_CO}",IF({unknown},"",IF({rel_nodata},"{STATUS_CHUA_CO}",{decide})))'
    on_track = plan.on_track or f'{refs.status}<>"{STATUS_KHONG_DAT}"'
    return _row(refs, status, plan, on_track, months, t.rule, [(c, m) for c, _, m in cases if m] + rel)


def _relations(t: Target, inputs: list[_Input], nodata: list[str]) -> list[tuple[str, str]]:
    """Checks across the two inputs, decided only when both are usable numbers."""
    if len(inputs) < 2:
        return []
    a, b = inputs
    ok = [f"ISNUMBER({i.ref})" for i in inputs]
    den = b if t.rule.startswith("rate") else a
    out = [(_num(den.ref, f"{den.ref}=0"), message(FC.CHI_TIEU_MAU_SO_BANG_0, t.code, label=text_of(den.label)))]
    if t.rule.startswith("rate"):
        out.append(
            (
                f"IF(AND({','.join(ok)}),AND({a.ref}>{b.ref},{b.ref}<>0,NOT({nodata[0]}),NOT({nodata[1]})),FALSE)",
                message(FC.CHI_TIEU_TU_SO_LON_HON_MAU_SO, t.code, num=a.show(a.whole), den=b.show(b.whole)),
            )
        )
    return out


def _check(lines: list[tuple[str, str]]) -> str:
    if not lines:
        return '""'
    joined = "&".join(f'IF({cond},CHAR(10)&{msg},"")' for cond, msg in lines)
    return f"MID({joined},2,32000)"


def _row(refs: Refs, status: str, plan: _Plan, on_track: str, months: str, rule: str, lines) -> dict[str, Formula]:
    s = refs.status
    track = f'IF(OR({s}="",{s}="{STATUS_CHUA_CO}",{months}>=12),"",IF({on_track},"{ON_TRACK}","{BEHIND}"))'
    return {
        "value": Formula("=" + _figure(plan.value, VALUE_PLACES, refs, rule)),
        "pct_plan": Formula("=" + _figure(plan.pct_plan, PCT_PLACES, refs, rule)),
        "pct_prev": Formula("=" + _figure(plan.pct_prev, PCT_PLACES, refs, rule)),
        "status": Formula("=" + status),
        "on_track": Formula("=" + track),
        "check": Formula("=" + _check(lines)),
    }


def _level_formulas(campaign: Campaign, t: Target, refs: Refs) -> dict[str, Formula]:
    x, s = refs.a, refs.status
    months = months_expr(campaign, refs.period)
    index = "-1"
    for i, level in reversed(list(enumerate(t.levels))):
        index = f"IF(EXACT(TRIM({x}),{lit(level)}),{i},{index})"
    goal = t.levels.index(t.target_level)
    blank = f'IF(ISERROR({x}),TRUE,LEN(TRIM({x}&""))=0)'
    unlisted = f"{index}<0"
    decide = f'IF({index}>{goal},"{STATUS_VUOT}",IF({index}={goal},"{STATUS_DAT}","{STATUS_KHONG_DAT}"))'
    # text that matches no level may still be one typed in another Unicode form: nothing shown
    status = f'IF({blank},"{STATUS_CHUA_CO}",IF({unlisted},IF(ISTEXT({x}),"","{STATUS_CHUA_CO}"),{decide}))'
    muc = message(FC.CHI_TIEU_MUC_DO, t.code, detail=f'LEFT(TRIM({x}&""),60)', levels=lit(", ".join(t.levels)))
    lines = [
        (
            f'IF(ISERROR({x}),FALSE,LEN(TRIM({x}&""))=0)',
            message(FC.CHI_TIEU_THIEU_SO_LIEU, t.code, label=lit(t.inputs[0])),
        ),
        (f"IF({blank},FALSE,{unlisted})", muc),
    ]
    track = f'IF(OR({s}="",{s}="{STATUS_CHUA_CO}",{months}>=12),"",IF(AND({index}>={goal - 1},{index}>0),"{ON_TRACK}","{BEHIND}"))'
    value = f'IF(OR({s}="",{s}="{STATUS_CHUA_CO}"),"",TRIM({x}))'
    return {
        "value": Formula("=" + value),
        "pct_plan": Formula('=""'),
        "pct_prev": Formula('=""'),
        "status": Formula("=" + status),
        "on_track": Formula("=" + track),
        "check": Formula("=" + _check(lines)),
    }


FORMULA_TEMPLATES = ("2026.2", "2026.3")  # template versions whose report rows compute themselves


def has_formulas(meta: dict) -> bool:
    return str(meta.get("template_version") or "") in FORMULA_TEMPLATES


def report_places(campaign: Campaign, report) -> tuple[Any, dict[str, int], str] | None:
    """(the report sheet, its columns by key, the period cell as a formula names it) where the
    report's formulas are placed; None when the unit, the period or the sheet is not there."""
    from campaign.unit_report import column_letter

    period = report.info("period")
    rep = report.sheets.get("report")
    if campaign.unit(report.unit_code) is None or period is None or rep is None:
        return None
    return rep, rep.columns, f"'{period.sheet}'!${column_letter(period.col)}${period.row}"


def expected_formulas(campaign: Campaign, report) -> dict[tuple[int, int], tuple[str, str, Formula]]:
    """{(row, col): (target code, column key, formula)} of the report sheet, from where the
    report's keys are now (rows inserted or moved keep their formulas' meaning)."""
    from campaign.unit_report import cell_ref

    places = report_places(campaign, report)
    if places is None:
        return {}
    rep, col, period_ref = places
    unit = campaign.unit(report.unit_code)
    assigned = {t.code: t for t in campaign.targets_for(unit)}
    out: dict[tuple[int, int], tuple[str, str, Formula]] = {}
    seen: set[str] = set()
    for row in rep.rows:
        t = assigned.get(row.key)
        if t is None or row.key in seen:
            continue
        seen.add(row.key)
        r = row.number
        refs = Refs(cell_ref(r, col["input_a"]), cell_ref(r, col["input_b"]), cell_ref(r, col["status"]), period_ref)
        for key, formula in target_formulas(campaign, t, refs).items():
            out[(r, col[key])] = (t.code, key, formula)
    return out


_STRING = re.compile(r'"(?:[^"]|"")*"')


@lru_cache(maxsize=4096)  # the expected side is the same few hundred formulas in every workbook
def normal(formula: str) -> str:
    """A formula as compared: programs rewrite spacing, case, $ and prefixes on save."""
    text = formula.strip().lstrip("=")
    out, last = [], 0
    for m in _STRING.finditer(text):
        out.append(_code(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_code(text[last:]))
    return "".join(out)


def _code(part: str) -> str:
    part = re.sub(r"\s+", "", part).upper().replace("$", "").replace("_XLFN.", "")
    return part.replace("TRUE()", "TRUE").replace("FALSE()", "FALSE")


def with_lines(formula: Formula, lines: list[str]) -> Formula:
    """A check formula followed by Kiểm tra's own lines for that row (as text constants)."""
    if not lines:
        return formula
    return Formula(formula + "&" + lit("\n" + "\n".join(lines)).replace("\n", '"&CHAR(10)&"'))


_TAIL = re.compile(r'^(?:&(?:"(?:[^"]|"")*"|CHAR\(10\)))+$')


def intact(expected: Formula, found: str | None, column: str) -> bool:
    """Whether the cell still holds its formula (a check cell may carry Kiểm tra's lines after it)."""
    if found is None:
        return False
    if found == expected[1:]:  # as thidua wrote it (a file keeps a formula without its "=")
        return True
    want, got = normal(expected), normal(found)
    if got == want:
        return True
    return column == "check" and got.startswith(want) and bool(_TAIL.match(got[len(want) :]))
