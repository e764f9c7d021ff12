"""Normalisers: the part of an upstream release's source that shapes Leiden's output,
reduced to text that is equal exactly when that code is.

Python is compared as its syntax tree (formatting, comments, docstrings, annotations
and documentation-only decorators gone); C and C++ as its token stream (comments,
whitespace and line breaks gone). A fingerprint maps piece names to that text.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Mapping

__all__ = ["c_closure", "c_definitions", "c_tokens", "python_definitions"]

# Python: what a definition may mention without it shaping the output
_DOC_DECORATORS = {"_doc_params", "doc_params", "_doc_params_"}
_TYPING_ONLY = {"overload"}  # stubs replaced by the definition that follows


def _docstring_free(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:] or [ast.Pass()]
    return body


class _Strip(ast.NodeTransformer):
    """Drops what never runs: docstrings, annotations, documentation decorators."""

    def _definition(self, node: ast.AST) -> ast.AST | None:
        if any(_called_name(d) in _TYPING_ONLY for d in node.decorator_list):
            return None
        node.body = _docstring_free(node.body)
        node.decorator_list = [
            d for d in node.decorator_list if _called_name(d) not in _DOC_DECORATORS
        ]
        if not isinstance(node, ast.ClassDef):
            node.returns = None
        if hasattr(node, "type_params"):
            node.type_params = []
        return self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _definition

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements:
                setattr(node, field, _without_message_assignments(statements))
        return node

    def visit_Raise(self, node: ast.Raise) -> ast.Raise:
        # which exception, not its message or chained cause: a call that raises runs
        # upstream (the decision point routes it there), so only the condition counts
        if isinstance(node.exc, ast.Call):
            node.exc.args, node.exc.keywords = [], []
        node.cause = None
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        # a bare annotation declares nothing at run time
        if node.value is None:
            return None
        plain = ast.Assign(targets=[node.target], value=self.visit(node.value))
        return ast.fix_missing_locations(ast.copy_location(plain, node))


def _without_message_assignments(statements: list[ast.stmt]) -> list[ast.stmt]:
    """Drops ``msg = ...`` right before a ``raise`` (the message-first raise style)."""
    kept = []
    for i, stmt in enumerate(statements):
        following = statements[i + 1] if i + 1 < len(statements) else None
        if (
            isinstance(stmt, ast.Assign)
            and [ast.unparse(t) for t in stmt.targets] == ["msg"]
            and isinstance(following, ast.Raise)
        ):
            continue
        kept.append(stmt)
    return kept


def _called_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


# Python 3.12 syntax the oldest interpreter we run on cannot parse, rewritten to what
# it means at run time for this comparison: `type X = ...` binds X, and type parameters
# of a def or class bind nothing the body reads at run time
_TYPE_ALIAS = re.compile(r"^(\s*)type\s+(\w+)\s*(?:\[[^\]=]*\])?\s*=", re.MULTILINE)
_TYPE_PARAMS = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+\w+\[", re.MULTILINE)


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        # upstream's own invalid escapes in strings are not ours to report
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return _parse_any(text)


def _parse_any(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError:
        return ast.parse(_without_type_params(_TYPE_ALIAS.sub(r"\1\2 =", text)))


def _without_type_params(text: str) -> str:
    out = []
    at = 0
    for m in _TYPE_PARAMS.finditer(text):
        depth = 0
        for j in range(m.end() - 1, len(text)):
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            if depth == 0:
                break
        out.append(text[at : m.end() - 1])
        at = j + 1
    return "".join(out) + text[at:]


def python_definitions(sources: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The top-level functions and classes called ``names``, wherever in ``sources``
    (path -> text) they are defined, as syntax-tree text; a name defined in several
    modules keeps each definition (in path order), an undefined one is absent."""
    wanted = set(names)
    # parsing is the cost: only modules that define one of the names at top level
    defines = re.compile(
        r"^(?:async\s+)?(?:def|class)\s+(?:" + "|".join(map(re.escape, wanted)) + r")\b", re.M
    )
    found: dict[str, list[str]] = {}
    for path in sorted(sources):
        if not defines.search(sources[path]):
            continue
        for node in _parse(sources[path]).body:
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and node.name in wanted
            ):
                found.setdefault(node.name, []).append(ast.unparse(_Strip().visit(node)))
    return {name: "\n".join(texts) for name, texts in sorted(found.items())}


# C and C++

_TOKEN = re.compile(
    r"""
      (?P<comment> /\*.*?\*/ | //[^\n]* )
    | (?P<pre> ^[ \t]*\#(?:[^\n]*\\\n)*[^\n]* )
    | (?P<string> "(?:\\.|[^"\\\n])*" | '(?:\\.|[^'\\\n])*' )
    | (?P<word> [A-Za-z_]\w* | \d[\w.]*(?:[eEpP][+-]\d+)?\w* | \.\d\w* )
    | (?P<space> \s+ )
    | (?P<punct> ->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!=<>]=|::|\.\.\.|. )
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)


def c_tokens(text: str) -> list[str]:
    """The tokens of C/C++ source, comments and whitespace dropped; a preprocessor line
    stays one token (its own whitespace collapsed)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("comment", "space"):
            continue
        tok = m.group()
        if kind == "pre":
            tok = " ".join(_TOKEN_SPACE.split(_COMMENT.sub(" ", tok.replace("\\\n", " "))))
            tok = tok.strip()
        out.append(tok)
    return out


_TOKEN_SPACE = re.compile(r"\s+")
_COMMENT = re.compile(r"/\*.*?\*/|//.*", re.DOTALL)


def _matching(tokens: list[str], at: int, opening: str, closing: str) -> int | None:
    """The index closing the bracket opened at ``at``; None where preprocessor branches
    leave it unbalanced (such a definition is not recognised)."""
    depth = 0
    for j in range(at, len(tokens)):
        if tokens[j] == opening:
            depth += 1
        elif tokens[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    return None


def c_definitions(text: str) -> dict[str, str]:
    """Every function definition in ``text`` by name (its tokens, every preprocessor
    branch included)."""
    tokens = c_tokens(text)
    shape = _first_branches(tokens)
    found: dict[str, str] = {}
    depth = 0
    start = 0  # first token of the current top-level declaration
    i = 0
    while i < len(tokens):
        tok = shape[i]
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                start = i + 1
        elif depth == 0 and (tok == ";" or tok.startswith("#")):
            start = i + 1
        elif depth == 0 and _IDENT.fullmatch(tok) and shape[i + 1 : i + 2] == ["("]:
            end = _matching(shape, i + 1, "(", ")")
            close = None
            if end is not None and shape[end + 1 : end + 2] == ["{"]:
                close = _matching(shape, end + 1, "{", "}")
            if close is not None:
                found[tok] = " ".join(tokens[start : close + 1])
                i = close
                start = close + 1
        i += 1
    return found


def _first_branches(tokens: list[str]) -> list[str]:
    """``tokens`` with the brackets of #elif/#else branches blanked out: alternative
    branches often repeat a function's opening line, and only one of them compiles."""
    shape = []
    inactive = []  # per open #if: inside an alternative branch?
    for tok in tokens:
        directive = tok[1:].lstrip().split(" ", 1)[0] if tok.startswith("#") else ""
        if directive in ("if", "ifdef", "ifndef"):
            inactive.append(False)
        elif directive in ("elif", "else") and inactive:
            inactive[-1] = True
        elif directive == "endif" and inactive:
            inactive.pop()
        blank = any(inactive) and tok in "(){}"
        shape.append("" if blank else tok)
    return shape


_IDENT = re.compile(r"[A-Za-z_]\w*")


def c_closure(
    sources: Mapping[str, str], roots: Iterable[str], *, leaves: Mapping[str, str] = {}
) -> dict[str, str]:
    """The functions named in ``roots`` and, transitively, every function defined in
    ``sources`` (path -> text) that they mention; functions of ``leaves`` (path -> text)
    are taken where mentioned but not followed further."""
    defined: dict[str, str] = {}
    for path in sorted(sources):
        defined.update(c_definitions(sources[path]))
    ends: dict[str, str] = {}
    for path in sorted(leaves):
        ends.update(c_definitions(leaves[path]))
    pending = list(roots)
    found: dict[str, str] = {}
    while pending:
        name = pending.pop()
        if name in found:
            continue
        if name in defined:
            found[name] = defined[name]
            pending.extend(t for t in found[name].split() if t in defined or t in ends)
        elif name in ends:
            found[name] = ends[name]
    return dict(sorted(found.items()))
