"""The house's rooms: `aftercare` uses `clients` and `exercises`; neither of them imports
`aftercare`; `outbox` (email sent once from jobs) is below them all; and nothing imports
another module's private helper (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("aftercare", "clients", "exercises", "outbox")


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) for every import in the file, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
    return found


def sources(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", ["clients", "exercises"])
def test_clients_and_exercises_never_import_aftercare(app):
    files = sources(app)
    assert len(files) > 5  # the walk found the app's modules
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for module, names, line in imports_of(path)
        if module == "aftercare" or module.startswith("aftercare.")
    ]
    assert offenders == []


def test_outbox_imports_none_of_the_apps_that_send_through_it():
    # Below `aftercare` and `clients` (both send email through it), so `clients` may use it.
    files = sources("outbox")
    assert len(files) >= 4
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for module, names, line in imports_of(path)
        if module.split(".")[0] in ("aftercare", "clients", "exercises")
    ]
    assert offenders == []


def test_no_module_imports_a_private_name_from_another_of_ours():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name} from {module}"
        for app in APPS
        for path in sources(app)
        for module, names, line in imports_of(path)
        if module.split(".")[0] in APPS
        for name in names
        if name.startswith("_")
    ]
    assert offenders == []


def test_the_walk_would_see_an_import_of_aftercare(tmp_path):
    # The check above reads real imports, nested ones included.
    module = tmp_path / "views.py"
    module.write_text("def f():\n    from aftercare.models import Visit\n    return Visit\n")
    assert imports_of(module) == [("aftercare.models", ["Visit"], 2)]
