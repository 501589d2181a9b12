"""Every stored SVG belongs to a snapshot test that still exists.

The snapshot plugin finds unused snapshots only when one process runs every test; the suite
runs on several workers, so a renamed or deleted test would leave its SVG behind unseen.
"""

from __future__ import annotations

import ast
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def defined_tests(module: Path) -> set[str]:
    """The names of the test functions defined in ``module``."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_svg_names_a_test_of_its_module() -> None:
    svgs = sorted(SNAPSHOTS.glob("*/*.svg"))
    assert svgs, "no snapshots found"
    orphans = []
    for svg in svgs:
        module = Path(__file__).parent / f"{svg.parent.name}.py"
        # A parametrised test's snapshots are named ``test_name[param]``.
        name = svg.stem.split("[", 1)[0]
        if not module.exists() or name not in defined_tests(module):
            orphans.append(str(svg.relative_to(SNAPSHOTS)))
    assert orphans == [], "snapshots no test takes any more (delete them)"
