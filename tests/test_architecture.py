"""The package's layout is its architecture: imports point one way (upper layers use lower ones, never the
reverse), there is no import cycle, no module reaches for another's private names, and functions stay short."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "shipstation_mcp"

# Lowest first. A module may import from its own layer's package and from any layer below it.
LAYERS: list[set[str]] = [
    {
        "shipstation_mcp",
        "shipstation_mcp.config",
        "shipstation_mcp.errors",
        "shipstation_mcp.redact",
        "shipstation_mcp.times",
        "shipstation_mcp.zones",
    },
    {"shipstation_mcp.logs"},
    {"shipstation_mcp.state"},
    {"shipstation_mcp.api"},
    {"shipstation_mcp.sandbox"},
    {"shipstation_mcp.answers"},
    {"shipstation_mcp.live", "shipstation_mcp.lookups"},
    {"shipstation_mcp.tools", "shipstation_mcp.web"},
    {"shipstation_mcp.http_app"},
    {"shipstation_mcp.cli", "shipstation_mcp.__main__"},
]
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, tree: ast.Module, is_package: bool) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import in the module, lazy ones included."""
    base = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                target = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("shipstation_mcp"):
                found.append((target, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.startswith("shipstation_mcp")]
    return found


def layer_of(module: str) -> int:
    best = None
    for index, members in enumerate(LAYERS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and (best is None or len(member) > best[1]):
                best = (index, len(member))
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return best[0]


def graph() -> dict[str, set[str]]:
    trees = modules()
    known = set(trees)
    edges: dict[str, set[str]] = {name: set() for name in trees}
    for name, tree in trees.items():
        is_package = (PACKAGE.parent / Path(*name.split("."))).is_dir()
        for target, names in imports_of(name, tree, is_package):
            # `from pkg import module` names a module, not an attribute of the package
            targets = [f"{target}.{n}" for n in names if f"{target}.{n}" in known] or [target]
            edges[name].update(t for t in targets if t in known and t != name)
    return edges


def test_imports_point_down_the_layers() -> None:
    wrong = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(source)
    ]
    assert wrong == []


def test_no_import_cycle() -> None:
    edges = graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_module_imports_another_modules_private_names() -> None:
    trees = modules()
    private = []
    for name, tree in trees.items():
        is_package = (PACKAGE.parent / Path(*name.split("."))).is_dir()
        for target, names in imports_of(name, tree, is_package):
            private += [f"{name} imports {target}.{n}" for n in names if n.startswith("_") and n != "__version__"]
    assert private == []


def test_no_function_is_longer_than_it_can_be_read_in_one_go() -> None:
    long = []
    for name, tree in modules().items():
        if name.startswith("shipstation_mcp.sandbox"):
            continue  # the demo account's data: one literal per shipment, long by nature
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {length} lines")
    assert long == []


def test_every_subpackage_declares_its_public_surface() -> None:
    missing = [
        module_name(init)
        for init in PACKAGE.rglob("__init__.py")
        if "__all__" not in init.read_text() and init.parent != PACKAGE
    ]
    assert missing == []


FAMILY_NAMES = frozenset({"v1", "v2", "shipengine"})
"""The `SHIPSTATION_API` values. Only `api/` (the family objects) and `config.py` (which reads the setting) may
compare against them; everything else asks a family what it can do (`client.family.can(...)`)."""


def _names_a_family(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in FAMILY_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_a_family(element) for element in node.elts)
    return False


def family_name_comparisons(tree: ast.Module) -> list[int]:
    """Lines that compare something with a family name: `==`, `!=`, `in`, `not in`, or a `match` case."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops) and any(
                _names_a_family(side) for side in sides
            ):
                lines.append(node.lineno)
        elif isinstance(node, ast.MatchValue) and _names_a_family(node.value):
            lines.append(node.lineno)
    return lines


def test_no_family_name_is_compared_outside_api_and_config() -> None:
    allowed = ("shipstation_mcp.api", "shipstation_mcp.config")
    found = [
        f"{name}:{line}"
        for name, tree in modules().items()
        if not any(name == a or name.startswith(a + ".") for a in allowed)
        for line in family_name_comparisons(tree)
    ]
    assert found == []


def test_the_family_name_check_sees_each_way_of_comparing() -> None:
    code = (
        'a = s.api == "shipengine"\nb = "v2" != s.api\nc = s.api in ("v1", "x")\nd = s.api not in {"v2"}\n'
        'match s.api:\n    case "v1":\n        pass\ne = s.api == "other"\nf = {"v2": 1}\n'
    )
    assert family_name_comparisons(ast.parse(code)) == [1, 2, 3, 4, 6]
