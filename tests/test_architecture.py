"""The house's plan, held against its imports: arrows run one way, and no circle closes.

Faces (the web app and its gateway, the commands, the scheduler, the sandbox, the chat's
handlers) use features; features use the conversation and delivery; those use services, which
use accounts and WeChat's API; everything stands on language, models, the database and config.
A new import that runs the other way, or closes a circle, fails here with its chain.
"""

from __future__ import annotations

import grimp
import pytest

FACES = grimp.Layer("handlers", "bot.gateway", "bot.console", "bot.api", "bot.cli", "bot.sandbox",
                    "bot.scheduling", "bot.standin", "bot.content_check", "bot.health", "bot.web_headers",
                    "bot.migrations",
                    "bot.__main__", independent=False)
FEATURES = grimp.Layer("bot.notices", "bot.tickets", "bot.activities", "bot.care", "bot.greetings",
                       "bot.questions", "bot.roster", "bot.study", "bot.policies", "bot.staff",
                       independent=False)
LAYERS = [
    FACES,
    FEATURES,
    grimp.Layer("bot.conversation"),
    grimp.Layer("bot.delivery", "bot.command_support", independent=False),
    grimp.Layer("bot.services"),
    grimp.Layer("bot.accounts", "bot.wechat_api", independent=True),
    grimp.Layer("bot.language", "bot.audit", independent=True),
    grimp.Layer("bot.models"),
    grimp.Layer("bot.db"),
    grimp.Layer("bot.config", "bot.clock", "bot.logs", independent=True),
]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """Every import of bot and handlers (type-checking-only imports aside: they run nothing)."""
    return grimp.build_graph("bot", "handlers", exclude_type_checking_imports=True)


def test_every_package_and_module_of_bot_has_a_place_in_the_plan(graph: grimp.ImportGraph) -> None:
    placed = {m for layer in LAYERS for m in layer.module_tails}
    top = {m for m in graph.modules if m.count(".") == 1 and m.startswith("bot.")} | {"handlers"}
    assert top <= placed, f"not in the plan: {sorted(top - placed)}"


def test_arrows_run_one_way(graph: grimp.ImportGraph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers=set())
    assert not illegal, "\n".join(
        f"{d.importer} imports {d.imported}: "
        + "; ".join(" -> ".join(r.heads | set(r.middle) | r.tails) for r in d.routes) for d in illegal)


def test_every_package_says_what_it_imports(graph: grimp.ImportGraph) -> None:
    """A package's docstring names every part of bot/ it imports: a new arrow is written down."""
    import importlib

    unsaid = {}
    packages = {m for m in graph.modules if m.count(".") == 1 and graph.find_children(m)} | {"handlers"}
    for package in sorted(packages):
        doc = importlib.import_module(package).__doc__ or ""
        inside = {package} | graph.find_descendants(package)
        imported = {_part(m) for module in inside for m in graph.find_modules_directly_imported_by(module)
                    if m.startswith("bot.") and m not in inside}
        missing = sorted(part for part in imported if part not in doc)
        if missing or "mport" not in doc:
            unsaid[package] = missing
    assert not unsaid, f"imports their docstrings do not name: {unsaid}"


def _part(module: str) -> str:
    """The top-level part of bot/ a module belongs to, as its docstring would name it."""
    return module.split(".")[1] if module.startswith("bot.") else module


def test_no_circle_of_imports(graph: grimp.ImportGraph) -> None:
    circles = _circles(graph)
    assert not circles, "\n".join(" -> ".join(sorted(c)) for c in circles)


def _circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found
