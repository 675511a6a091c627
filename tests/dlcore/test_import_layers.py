"""dlcore's layers: a module imports only from its own layer or from those below it.

Bottom to top, as ../shared/ARCHITECTURE.md draws them, with one change: `pretrained`
sits below `trainers`, because teaching by transfer starts from a bundled model.
Imports inside functions count too: they may delay TensorFlow, never dodge a layer.
"""

import ast
from pathlib import Path

import pytest
from helpers import ROOT

LAYERS = (
    "_checks",
    "media",
    "data",
    "preprocess",
    "concepts",
    "runtime",
    "training",
    "pretrained",
    "trainers",
    "jobs",
    "explain",
    "figures",
    "__init__",
)
"""dlcore's layers, bottom to top: the first part of a module's name after `dlcore.`, and
`dlcore/__init__.py` on top, the front door (`dlcore.load_pretrained`)."""

PACKAGE = ROOT / "dlcore"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def dlcore_imports(source: str, module: str) -> set[str]:
    """The dlcore modules that `module`'s `source` imports, at its top or inside functions."""
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from dlcore.media import images` imports the module dlcore.media.images.
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    ROOT / Path(*candidate.split("."))
                ).is_dir()
                imported.add(candidate if is_module else node.module)
    # Every submodule import runs dlcore/__init__.py first anyway: that is not an edge.
    return {
        name
        for name in imported
        if name.split(".")[0] == "dlcore" and name not in ("dlcore", module)
    }


MODULES = {
    module_name(path): dlcore_imports(path.read_text(encoding="utf-8"), module_name(path))
    for path in sorted(PACKAGE.rglob("*.py"))
}


def test_every_module_belongs_to_a_layer():
    unknown = sorted(name for name in MODULES if layer_of(name) not in LAYERS)
    assert not unknown, f"Modules outside the layers {LAYERS}: {unknown}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_own_layer_or_below(module):
    rank = LAYERS.index(layer_of(module))
    upward = sorted(
        name
        for name in MODULES[module]
        if layer_of(name) != "__init__" and LAYERS.index(layer_of(name)) > rank
    )
    assert not upward, f"{module} ({layer_of(module)}) imports from layers above it: {upward}"


def test_no_module_imports_itself_round_a_circle():
    edges = {
        module: {name for name in imported if name in MODULES}
        for module, imported in MODULES.items()
    }
    visiting, done, circles = [], set(), []

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            circles.append([*visiting[visiting.index(module) :], module])
            return
        visiting.append(module)
        for name in sorted(edges[module]):
            visit(name)
        visiting.pop()
        done.add(module)

    for module in sorted(edges):
        visit(module)
    assert not circles, "Import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_walk_sees_imports_hidden_in_functions_and_modules_imported_by_name():
    source = (
        "import dlcore\n"
        "def f():\n"
        "    from dlcore.trainers import cnn\n"
        "    from dlcore.media.images import to_float\n"
    )
    assert dlcore_imports(source, "dlcore.media.x") == {
        "dlcore.trainers.cnn",
        "dlcore.media.images",
    }
