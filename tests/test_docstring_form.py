"""Every public function and class documents itself in PyTorch's form.

* every public function, class and method has a docstring;
* a callable with parameters has an ``Args:`` section naming each of them;
* a function that returns something has ``Returns:``; one that raises has ``Raises:``;
* the user-facing API (:mod:`actbook.functional`, :mod:`actbook.nn`, :mod:`actbook.kernels`
  and the registry's lookups) has ``Examples::``, and the examples run (doctest).

Public means: named without a leading underscore in a public module of the package (no
``__main__`` and no ``_private`` module), defined there, and for methods, defined by the class
itself (``forward`` and ``extra_repr`` of modules are PyTorch's interface and documented by the
class).
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import actbook

PACKAGE = Path(actbook.__file__).parent
#: Modules whose public callables need Examples::, and whose examples are run.
WITH_EXAMPLES = ("actbook.functional", "actbook.nn.activations", "actbook.nn.ffn",
                 "actbook.kernels", "actbook.registry", "actbook.experiments.models")
#: Methods every module has, documented by the class.
INTERFACE = {"forward", "extra_repr", "backward", "__init__", "__call__", "__post_init__",
             "__init_subclass__"}


def _modules() -> list[str]:
    """The public modules: no ``__main__`` and no private (``_name``) module."""
    return ["actbook"] + [m.name for m in pkgutil.walk_packages([str(PACKAGE)], "actbook.")
                          if not m.name.endswith("__main__")
                          and not any(part.startswith("_") for part in m.name.split("."))]


def _public(module) -> list[tuple[str, Callable]]:
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj):
            found.append((name, obj))
            found += [(f"{name}.{attr}", member) for attr, member in vars(obj).items()
                      if inspect.isfunction(member) and not attr.startswith("_")
                      and attr not in INTERFACE]
        elif inspect.isfunction(obj):
            found.append((name, obj))
    return found


def _parameters(obj: Callable) -> list[str]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj) and "__init__" not in vars(obj):
        return []
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    return [p.name for p in signature.parameters.values()
            if p.name not in ("self", "cls", "ctx")
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _raises(obj: Callable) -> bool:
    """Whether the function's own body has a ``raise`` statement."""
    if inspect.isclass(obj):
        obj = vars(obj).get("__init__")
        if obj is None:
            return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(obj))))
    except (OSError, TypeError, SyntaxError):
        # no source of its own: a dataclass's generated __init__ (inspect may then return
        # unrelated lines of the module, which do not parse)
        return False
    function = tree.body[0]
    nested = [n for n in ast.walk(function) if isinstance(n, ast.FunctionDef | ast.Lambda)
              and n is not function]
    inner = {id(m) for n in nested for m in ast.walk(n)}
    return any(isinstance(n, ast.Raise) and id(n) not in inner for n in ast.walk(function))


def _returns(obj: Callable) -> bool:
    if inspect.isclass(obj):
        return False
    annotation = inspect.signature(obj).return_annotation
    return annotation not in (None, "None", inspect.Signature.empty)


def problems(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    found = []
    for name, obj in _public(module):
        doc = inspect.getdoc(obj) or ""
        where = f"{module_name}.{name}"
        if not doc.strip():
            found.append(f"{where}: no docstring")
            continue
        args = _parameters(obj)
        if args and "Args:" not in doc:
            found.append(f"{where}: no Args: for {args}")
        elif args:
            section = doc.split("Args:", 1)[1]
            missing = [a for a in args if f"{a}:" not in section and f"{a} (" not in section]
            if missing:
                found.append(f"{where}: Args: lacks {missing}")
        if _returns(obj) and "Returns:" not in doc:
            found.append(f"{where}: no Returns:")
        if _raises(obj) and "Raises:" not in doc:
            found.append(f"{where}: no Raises:")
        if module_name in WITH_EXAMPLES and "." not in name and "Examples::" not in doc:
            found.append(f"{where}: no Examples::")
    return found


@pytest.mark.parametrize("module_name", _modules())
def test_public_docstrings_have_pytorch_sections(module_name: str) -> None:
    found = problems(module_name)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("module_name", WITH_EXAMPLES)
def test_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, extraglobs={"torch": __import__("torch")})
    assert result.failed == 0


def test_the_check_finds_a_missing_section() -> None:
    def undocumented(x: int) -> int:
        """Twice x."""
        if x < 0:
            raise ValueError("negative")
        return 2 * x

    assert _parameters(undocumented) == ["x"] and _raises(undocumented)
    assert _returns(undocumented)
