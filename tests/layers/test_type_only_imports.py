"""A name imported only for the type checker is never used when the code runs.

Modules import their heavy dependencies where a function uses them, so that a command
loads only what it runs, and name them for mypy under ``if TYPE_CHECKING:``. Neither mypy
nor ruff sees a function that uses such a name at run time without importing it first:
the code fails with a NameError only when that line runs. This walks every module and
lists each such use (annotations and ``cast``'s type argument are not run).
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("station", "sync", "forms", "cityhall")


def _imported(nodes: list[ast.stmt]) -> set[str]:
    names = set()
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                names |= {(alias.asname or alias.name).split(".")[0] for alias in inner.names}
    return names


def _type_only_names(tree: ast.Module) -> set[str]:
    checking = [n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)]
    others = [n for n in tree.body if n not in checking]
    defined = {n.name for n in others if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    defined |= {t.id for n in others if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    return _imported(checking) - _imported([n for n in others if isinstance(n, (ast.Import, ast.ImportFrom))]) - defined


class _RunTimeUses(ast.NodeVisitor):
    """Loads of the type-only names outside annotations, unless the enclosing function imports them."""

    def __init__(self, type_only: set[str]) -> None:
        self.type_only, self.scopes, self.found = type_only, [set[str]()], list[tuple[int, str]]()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scopes.append(_imported(node.body))
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        if ast.unparse(node.func) in ("cast", "typing.cast"):
            for argument in node.args[1:]:
                self.visit(argument)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in self.type_only and not any(node.id in s for s in self.scopes):
            self.found.append((node.lineno, node.id))


def test_no_name_imported_for_the_type_checker_alone_is_used_at_run_time() -> None:
    problems = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            type_only = _type_only_names(tree)
            if type_only:
                uses = _RunTimeUses(type_only)
                uses.visit(tree)
                problems += [f"{path.relative_to(REPO)}:{line}: {name}" for line, name in uses.found]
    assert not problems, "used at run time but imported only under TYPE_CHECKING:\n" + "\n".join(problems)


def test_the_check_finds_such_a_use() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import Store\n"
                     "def make(path: Store) -> Store:\n    return Store(path)\n"
                     "def fine(path: Store) -> Store:\n    from x import Store\n    return Store(path)\n")
    uses = _RunTimeUses(_type_only_names(tree))
    uses.visit(tree)
    assert uses.found == [(5, "Store")]
