"""The type stubs of the compiled core (``quoteframe/_core.pyi``) against the built module.

The stub is written by hand, so nothing else keeps it true: these tests parse it
with ``ast`` and compare it with ``quoteframe._core`` as built. Names: every
public name of the module, of each class and of the ``stats`` submodule has a
stub, and every stub names something that exists. Kinds: class, function,
static method, method, property (with a setter exactly when the runtime one
has one). Signatures: pybind11 writes each function's signature on the first
line of its ``__doc__``; parameter names, order, kinds (``argN`` means
positional-only), defaults, numpy dtypes and class names must agree with the
stub. The last tests break a copy of the stub on purpose and check that each
breakage is reported, so a pass means something.
"""

from __future__ import annotations

import ast
import builtins
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import quoteframe
from quoteframe import _core

ROOT = Path(__file__).resolve().parents[2]
# The stub that sits next to the module being imported (the installed package
# under `make test`), so that the pair compared is always one build.
STUB = Path(_core.__file__).with_name("_core.pyi")

POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = (
    "positional-only",
    "positional-or-keyword",
    "*args",
    "keyword-only",
    "**kwargs",
)

# Runtime member types that pybind11 creates; anything else in a class
# __dict__ (slot wrappers, __module__, __doc__) comes from Python itself.
_BINDING_TYPES = ("instancemethod", "builtin_function_or_method")


# ------------------------------------------------------------ the stub side


@dataclass
class StubEntry:
    kind: str  # class, function, staticmethod, method, property, variable
    node: ast.AST
    overloads: List[ast.FunctionDef] = field(default_factory=list)
    has_setter: bool = False
    bases: List[str] = field(default_factory=list)
    members: Dict[str, "StubEntry"] = field(default_factory=dict)


def _is_alias(node: ast.AST) -> Optional[str]:
    """The name a stub-only type alias defines, if the node is one."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and ast.unparse(node.annotation) in ("TypeAlias", "typing.TypeAlias")
    ):
        return node.target.id
    return None


def parse_scope(body: List[ast.stmt], in_class: bool, problems: List[str], qual: str) -> Dict[str, StubEntry]:
    out: Dict[str, StubEntry] = {}
    for node in body:
        alias = _is_alias(node)
        if alias is not None:
            # Aliases exist only in the stub; a public one would pass for a runtime name.
            if not alias.startswith("_"):
                problems.append(f"{qual}{alias}: a stub-only alias must start with '_'")
        elif isinstance(node, ast.ClassDef):
            out[node.name] = StubEntry(
                "class",
                node,
                bases=[ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases],
                members=parse_scope(node.body, True, problems, f"{qual}{node.name}."),
            )
        elif isinstance(node, ast.FunctionDef):
            decorators = [ast.unparse(d) for d in node.decorator_list]
            if f"{node.name}.setter" in decorators:
                if node.name in out and out[node.name].kind == "property":
                    out[node.name].has_setter = True
                else:
                    problems.append(f"{qual}{node.name}: a setter without a property")
                continue
            if node.name in out and any(d in ("overload", "typing.overload") for d in decorators):
                out[node.name].overloads.append(node)
                continue
            if "property" in decorators:
                kind = "property"
            elif "staticmethod" in decorators:
                kind = "staticmethod"
            else:
                kind = "method" if in_class else "function"
            out[node.name] = StubEntry(kind, node, overloads=[node])
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = StubEntry("variable", node)
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr, ast.Pass)):
            continue
        else:
            problems.append(f"{qual}: unexpected statement in the stub: {ast.unparse(node)[:60]!r}")
    return out


def parse_stub(text: str) -> Tuple[Dict[str, StubEntry], List[str]]:
    problems: List[str] = []
    return parse_scope(ast.parse(text).body, False, problems, ""), problems


# ------------------------------------------------- the runtime (pybind11) side


@dataclass
class Param:
    name: str
    kind: str
    default: Optional[str]  # source text of the default, None when required
    annotation: str = ""


def _scan(text: str, opening: str = "([{<", closing: str = ")]}>"):
    """(index, character, bracket depth after it) for each character outside quotes."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
            continue
        if ch in "\"'":
            quote = ch
            continue
        if ch in opening:
            depth += 1
        elif ch in closing:
            depth -= 1
        yield i, ch, depth


def _split_top_level(text: str) -> List[str]:
    """Split on commas outside brackets and quotes."""
    cuts = [i for i, ch, depth in _scan(text) if ch == "," and depth == 0]
    bounds = zip([-1] + cuts, cuts + [len(text)])
    return [text[a + 1 : b].strip() for a, b in bounds if text[a + 1 : b].strip()]


def _top_level_index(text: str, target: str) -> int:
    return next((i for i, ch, depth in _scan(text) if ch == target and depth == 0), -1)


def _closing_paren(line: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start` (`->` is not a bracket)."""
    for i, ch, depth in _scan(line[start:], "([{", ")]}"):
        if ch == ")" and depth == 0:
            return start + i
    raise ValueError(f"unbalanced signature: {line!r}")


def parse_signature(line: str, name: str) -> Tuple[List[Param], str]:
    """(parameters, return annotation) of one pybind11 signature line."""
    if not line.startswith(name + "("):
        raise ValueError(f"not a signature of {name}: {line!r}")
    close = _closing_paren(line, len(name))
    inner = line[len(name) + 1 : close]
    rest = line[close + 1 :].strip()
    returns = rest[2:].strip() if rest.startswith("->") else ""
    params: List[Param] = []
    kind = POSITIONAL_OR_KEYWORD
    for piece in _split_top_level(inner):
        if piece == "/":
            for p in params:
                p.kind = POSITIONAL_ONLY
            continue
        if piece == "*":
            kind = KEYWORD_ONLY
            continue
        if piece.startswith("**"):
            params.append(Param(piece[2:].split(":")[0].strip(), VAR_KEYWORD, None))
            continue
        if piece.startswith("*"):
            params.append(Param(piece[1:].split(":")[0].strip(), VAR_POSITIONAL, None))
            kind = KEYWORD_ONLY
            continue
        eq = _top_level_index(piece, "=")
        head, default = (piece[:eq], piece[eq + 1 :].strip()) if eq >= 0 else (piece, None)
        pname, _, annotation = head.partition(":")
        pname = pname.strip()
        # pybind11 names an argument without py::arg "argN"; it cannot be passed by keyword.
        pkind = POSITIONAL_ONLY if re.fullmatch(r"arg\d+", pname) else kind
        params.append(Param(pname, pkind, default, annotation.strip()))
    return params, returns


def runtime_signatures(func: Any) -> List[Tuple[List[Param], str]]:
    func = getattr(func, "__func__", func)
    name = func.__name__
    lines = (func.__doc__ or "").splitlines()
    if lines and lines[0].startswith(f"{name}(*args, **kwargs)") and "Overloaded function." in func.__doc__:
        sigs = [ln.split(". ", 1)[1] for ln in lines if re.match(rf"\d+\. {re.escape(name)}\(", ln)]
    else:
        sigs = lines[:1]
    return [parse_signature(s, name) for s in sigs]


def runtime_members(obj: Any) -> Dict[str, Any]:
    """The names a stub may declare for a module or a pybind11 class."""
    if isinstance(obj, types.ModuleType):
        return {n: getattr(obj, n) for n in dir(obj)}
    out = {}
    for n, v in vars(obj).items():
        if isinstance(v, (property, staticmethod)) or type(v).__name__ in _BINDING_TYPES:
            out[n] = v
    return out


def required_names(obj: Any, members: Dict[str, Any]) -> set:
    names = {n for n in members if not n.startswith("_")}
    if isinstance(obj, types.ModuleType):
        names |= {"__version__"} & set(members)
    else:
        names |= {"__init__"} & set(members)  # only a bound constructor is a member
    return names


def runtime_kind(value: Any, in_class: bool, namespace: bool) -> str:
    if in_class:
        if isinstance(value, property):
            return "property"
        if isinstance(value, staticmethod):
            return "staticmethod"
        return "method"
    if isinstance(value, (type, types.ModuleType)):
        return "class"  # a submodule is stubbed as a namespace class
    if callable(value):
        return "staticmethod" if namespace else "function"
    return "variable"


# --------------------------------------------------------------- comparisons


def stub_params(fn: ast.FunctionDef) -> List[Param]:
    a = fn.args
    out: List[Param] = []
    positional = [(p, POSITIONAL_ONLY) for p in a.posonlyargs] + [(p, POSITIONAL_OR_KEYWORD) for p in a.args]
    defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for (p, kind), d in zip(positional, defaults):
        out.append(Param(p.arg, kind, None if d is None else ast.unparse(d), _ann(p)))
    if a.vararg:
        out.append(Param(a.vararg.arg, VAR_POSITIONAL, None, _ann(a.vararg)))
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append(Param(p.arg, KEYWORD_ONLY, None if d is None else ast.unparse(d), _ann(p)))
    if a.kwarg:
        out.append(Param(a.kwarg.arg, VAR_KEYWORD, None, _ann(a.kwarg)))
    return out


def _ann(p: ast.arg) -> str:
    return ast.unparse(p.annotation) if p.annotation is not None else ""


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return NotImplemented


def _dtypes(annotation: str) -> set:
    return set(re.findall(r"\b(?:numpy|np)\.(?!typing\b)(\w+)", annotation))


def _core_classes(annotation: str) -> set:
    return set(re.findall(r"quoteframe\._core\.(\w+)", annotation))


def _names(annotation: str) -> set:
    """Every name and attribute an annotation mentions (`np.int64` gives np, int64)."""
    if not annotation:
        return set()
    nodes = list(ast.walk(ast.parse(annotation, mode="eval")))
    return {n.id for n in nodes if isinstance(n, ast.Name)} | {n.attr for n in nodes if isinstance(n, ast.Attribute)}


def _agree(where: str, runtime_ann: str, stub_ann: str) -> List[str]:
    """The key facts of a pybind11 annotation (dtypes, core classes) in the stub's."""
    out = []
    want = _dtypes(runtime_ann)
    if want and want != _dtypes(stub_ann):
        out.append(f"{where}: dtype {sorted(_dtypes(stub_ann))} in the stub, {sorted(want)} at runtime")
    missing = _core_classes(runtime_ann) - _names(stub_ann)
    if missing:
        out.append(f"{where}: the runtime type names {sorted(missing)}, the stub says {stub_ann!r}")
    return out


def compare_signature(qual: str, runtime: Tuple[List[Param], str], fn: ast.FunctionDef, method: bool) -> List[str]:
    rparams, rreturn = runtime
    sparams = stub_params(fn)
    if method:
        # `self` is never passed by keyword, whatever either side says about it.
        for ps in (rparams, sparams):
            if ps and ps[0].name == "self":
                ps[0].kind = POSITIONAL_ONLY
    out: List[str] = []
    if fn.returns is None:
        out.append(f"{qual}: no return annotation in the stub")
    shown = f"{[p.name for p in sparams]} in the stub, {[p.name for p in rparams]} at runtime"
    if len(rparams) != len(sparams):
        return out + [f"{qual}: parameters {shown}"]
    for i, (r, s) in enumerate(zip(rparams, sparams)):
        where = f"{qual}({s.name})"
        if r.kind != s.kind:
            out.append(f"{where}: {s.kind} in the stub, {r.kind} at runtime ({r.name})")
        if r.kind != POSITIONAL_ONLY and r.name != s.name:
            out.append(f"{qual}: parameter {i} is {s.name!r} in the stub, {r.name!r} at runtime")
        if (r.default is None) != (s.default is None):
            out.append(f"{where}: default {s.default!r} in the stub, {r.default!r} at runtime")
        elif r.default is not None and s.default is not None and s.default != "...":
            # A literal default in the stub must be the runtime's; `...` says only "has one".
            if _literal(s.default) != _literal(r.default) or _literal(r.default) is NotImplemented:
                out.append(f"{where}: default {s.default} in the stub, {r.default} at runtime")
        if method and i == 0:
            continue  # `self` goes unannotated in a stub
        if not s.annotation:
            out.append(f"{where}: no annotation in the stub")
        out += _agree(where, r.annotation, s.annotation)
    stub_return = ast.unparse(fn.returns) if fn.returns is not None else ""
    if rreturn == "None" and stub_return not in ("None", "NoReturn", "typing.NoReturn"):
        out.append(f"{qual}: returns {stub_return!r} in the stub, None at runtime")
    out += _agree(f"{qual} -> ", rreturn, stub_return)
    return out


def check(stub: Dict[str, StubEntry], obj: Any, qual: str = "_core", namespace: bool = False) -> List[str]:
    """Every disagreement between one stub scope and the runtime object."""
    in_class = isinstance(obj, type)
    members = runtime_members(obj)
    out: List[str] = []
    for name in sorted(required_names(obj, members) - set(stub)):
        out.append(f"{qual}.{name}: exists at runtime but has no stub")
    for name in sorted(set(stub) - set(members)):
        out.append(f"{qual}.{name}: stubbed but does not exist at runtime")
    for name in sorted(set(stub) & set(members)):
        entry, value, where = stub[name], members[name], f"{qual}.{name}"
        want = runtime_kind(value, in_class, namespace)
        if entry.kind != want:
            out.append(f"{where}: a {entry.kind} in the stub, a {want} at runtime")
            continue
        if want == "class":
            out += check_class(entry, value, where)
        elif want == "property":
            if entry.has_setter != (value.fset is not None):
                state = "writable" if value.fset is not None else "read-only"
                out.append(f"{where}: the property is {state} at runtime; the stub disagrees")
        elif want in ("function", "staticmethod", "method"):
            out += check_callable(entry, value, where, method=want == "method")
    return out


def check_class(entry: StubEntry, value: Any, where: str) -> List[str]:
    if isinstance(value, types.ModuleType):
        return check(entry.members, value, where, namespace=True)
    out = []
    bases = [b.__name__ for b in value.__bases__ if b.__name__ not in ("object", "pybind11_object")]
    if entry.bases != bases:
        out.append(f"{where}: bases {entry.bases} in the stub, {bases} at runtime")
    return out + check(entry.members, value, where)


def check_callable(entry: StubEntry, value: Any, where: str, method: bool) -> List[str]:
    try:
        runtime = runtime_signatures(value)
    except ValueError as e:
        return [f"{where}: cannot read the pybind11 signature ({e})"]
    if not runtime:
        return [f"{where}: no signature in __doc__"]
    defs = [d for d in entry.overloads if len(entry.overloads) == 1 or _is_overload(d)]
    if len(defs) != len(runtime):
        return [f"{where}: {len(defs)} signature(s) in the stub, {len(runtime)} at runtime"]
    out: List[str] = []
    for sig, fn in zip(runtime, defs):
        out += compare_signature(where, sig, fn, method)
    return out


def _is_overload(fn: ast.FunctionDef) -> bool:
    return any(ast.unparse(d) in ("overload", "typing.overload") for d in fn.decorator_list)


def all_problems(text: str) -> List[str]:
    stub, problems = parse_stub(text)
    return problems + check(stub, _core)


# --------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def stub_text() -> str:
    if not STUB.is_file():
        pytest.fail(f"{STUB} is missing (an install from before the stub existed? reinstall)")
    return STUB.read_text(encoding="utf-8")


def test_the_stub_ships_next_to_the_package():
    source = ROOT / "python" / "quoteframe"
    assert (source / "__init__.py").is_file()
    assert (source / "_core.pyi").is_file(), "python/quoteframe/_core.pyi is missing"
    assert (source / "py.typed").is_file(), "python/quoteframe/py.typed is missing"
    # The package actually imported (installed, under `make test`) carries both.
    imported = Path(quoteframe.__file__).parent
    assert STUB.parent == imported
    assert STUB.is_file(), f"{STUB} is missing: the wheel does not ship the stub"
    assert (imported / "py.typed").is_file()


def test_the_stub_parses_with_nothing_unexpected(stub_text):
    _, problems = parse_stub(stub_text)
    assert problems == []


def test_every_runtime_name_has_a_stub_and_every_stub_exists(stub_text):
    stub, _ = parse_stub(stub_text)
    problems = [p for p in check(stub, _core) if "no stub" in p or "does not exist" in p]
    assert problems == [], "\n".join(problems)


def test_the_stats_submodule_is_stubbed_as_a_namespace(stub_text):
    stub, _ = parse_stub(stub_text)
    assert isinstance(_core.stats, types.ModuleType)
    assert stub["stats"].kind == "class"
    assert {e.kind for e in stub["stats"].members.values()} == {"staticmethod"}
    assert set(stub["stats"].members) == {n for n in dir(_core.stats) if not n.startswith("_")}


def test_stub_kinds_bases_and_signatures_match_the_runtime(stub_text):
    problems = all_problems(stub_text)
    assert problems == [], "\n".join(problems)


def test_every_exception_type_is_stubbed_with_its_base(stub_text):
    stub, _ = parse_stub(stub_text)
    for name, base in [("InputError", "ValueError"), ("CodebookError", "ValueError"), ("IcuError", "RuntimeError")]:
        assert issubclass(getattr(_core, name), getattr(builtins, base))
        assert stub[name].kind == "class" and stub[name].bases == [base]


@pytest.mark.parametrize(
    "line, names, kinds, defaults, returns",
    [
        ("f(a: int, b: str = 'x, (y)') -> None", ["a", "b"], [POSITIONAL_OR_KEYWORD] * 2, [None, "'x, (y)'"], "None"),
        ("f(self: m.C, arg0: tuple) -> None", ["self", "arg0"], [POSITIONAL_OR_KEYWORD, POSITIONAL_ONLY], [None, None], "None"),
        ("f(self: m.C, /) -> tuple[int, str]", ["self"], [POSITIONAL_ONLY], [None], "tuple[int, str]"),
        (
            'f(x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], *, k: int = 0) -> dict',
            ["x", "k"],
            [POSITIONAL_OR_KEYWORD, KEYWORD_ONLY],
            [None, "0"],
            "dict",
        ),
        ("f() -> tuple[detail::accessor<a, b>, object]", [], [], [], "tuple[detail::accessor<a, b>, object]"),
    ],
)
def test_pybind11_signature_lines_parse(line, names, kinds, defaults, returns):
    params, ret = parse_signature(line, "f")
    assert [p.name for p in params] == names
    assert [p.kind for p in params] == kinds
    assert [p.default for p in params] == defaults
    assert ret == returns


# Each breakage of the real stub and a phrase its report must contain: a test
# that cannot fail proves nothing.
BREAKAGES = [
    ("renamed parameter", "def fold(text: str)", "def fold(txt: str)", "_core.fold: parameter 0 is 'txt'"),
    ("missing default", 'lang: str = "")', "lang: str)", "_core.TextPipeline.process(lang): default"),
    ("wrong default", 'level: str = "nominal"', 'level: str = "ordinal"', "krippendorff_alpha(level): default"),
    ("missing function", "def fold(text: str) -> str: ...\n", "", "_core.fold: exists at runtime but has no stub"),
    ("invented function", "def fold(", "def unfold(text: str) -> str: ...\ndef fold(", "_core.unfold: stubbed but does not exist"),
    ("missing method", "    def codes(self) -> list[str]: ...\n    def detect", "    def detect", "_core.Languages.codes: exists"),
    ("missing setter", "    @path.setter\n    def path(self, value: str) -> None: ...\n", "", "Document.path: the property is writable"),
    ("wrong base", "class IcuError(RuntimeError)", "class IcuError(ValueError)", "_core.IcuError: bases"),
    ("wrong dtype", "groups: NDArray[np.int64]", "groups: NDArray[np.float64]", "permutation_test(groups): dtype"),
    ("wrong return dtype", "-> tuple[str, NDArray[np.int32]]", "-> tuple[str, NDArray[np.int64]]", "normalize_with_map -> : dtype"),
    ("wrong class", "def __init__(self, languages: Languages)", "def __init__(self, languages: Lexicons)", "TextPipeline.__init__(languages)"),
    ("static as method", "    @staticmethod\n    def from_string", "    def from_string", "Codebook.from_string: a method in the stub"),
    ("constructor that is not bound", "class Codebook:\n", "class Codebook:\n    def __init__(self) -> None: ...\n", "Codebook.__init__: stubbed but"),
    ("unnamed argument by keyword", "def _raise_for_test(kind: str, /)", "def _raise_for_test(kind: str)", "_raise_for_test(kind): positional-or-keyword"),
    ("extra parameter", "def cohen_kappa(a: NDArray[np.float64], b", "def cohen_kappa(a: NDArray[np.float64], c: int, b", "cohen_kappa: parameters"),
    ("submodule function missing", "    @staticmethod\n    def jensen_shannon", "    @staticmethod\n    def _jensen_shannon", "_core.stats.jensen_shannon: exists"),
    ("public alias", "__version__: str", "__version__: str\nIntArray = NDArray[np.int32]", "IntArray: a stub-only alias"),
]


@pytest.mark.parametrize("what, old, new, expected", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_a_broken_stub_is_reported(stub_text, what, old, new, expected):
    assert stub_text.count(old) == 1, f"the breakage {what!r} no longer applies to the stub"
    problems = all_problems(stub_text.replace(old, new))
    assert any(expected in p for p in problems), f"{what}: not reported; got {problems}"
