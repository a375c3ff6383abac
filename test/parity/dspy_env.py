"""Imports DSPy's real adapter code on a python3 that lacks DSPy's third-party dependencies.

DSPy (a checkout of stanfordnlp/dspy, 3.3.1) and json_repair (a checkout of mangiucugna/json_repair,
its `src` folder) are taken from the paths in the environment variables DSPY_SRC and JSON_REPAIR_SRC
(defaults: the checkouts under /work/src-ref). Every other missing third-party package DSPy imports at
module level (litellm, diskcache, tqdm, openai, anyio, …) is replaced by an inert stub module: the
adapters never call into them when formatting and parsing, so the stubs only have to import.
"""
import importlib.abc
import importlib.machinery
import importlib.util
import os
import pathlib
import sys
import types

DSPY_SRC = os.environ.get("DSPY_SRC", "/work/src-ref/stanfordnlp+dspy")
JSON_REPAIR_SRC = os.environ.get("JSON_REPAIR_SRC", "/work/src-ref/mangiucugna+json_repair/src")

STUBBED = {
    "litellm", "diskcache", "tqdm", "openai", "anyio", "asyncer", "cachetools", "tenacity",
    "magicattr", "xxhash", "gepa", "ujson", "rich", "joblib", "optuna", "mcp", "langchain_core",
    "weaviate", "datasets", "pandas", "PIL", "tiktoken", "fastapi", "uvicorn", "deno", "jiter",
}


def _check_paths() -> None:
    if not (pathlib.Path(DSPY_SRC) / "dspy" / "adapters" / "chat_adapter.py").is_file():
        sys.exit(f"DSPy source not found at {DSPY_SRC!r}: set DSPY_SRC to a checkout of stanfordnlp/dspy")
    if not (pathlib.Path(JSON_REPAIR_SRC) / "json_repair" / "json_repair.py").is_file():
        sys.exit(
            f"json_repair source not found at {JSON_REPAIR_SRC!r}: set JSON_REPAIR_SRC to the src folder "
            "of a checkout of mangiucugna/json_repair"
        )


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _make_stub(name)

    def __getitem__(cls, item):
        return cls

    def __or__(cls, other):
        return cls

    def __ror__(cls, other):
        return cls


def _make_stub(name: str):
    # An exception class, so `except stub.SomeError` works; callable, subclassable, indexable.
    def __init__(self, *args, **kwargs):
        Exception.__init__(self, *args)

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return _make_stub("result")()

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _make_stub(attr)()

    return _StubMeta(
        name,
        (Exception,),
        {"__init__": __init__, "__call__": __call__, "__getattr__": __getattr__, "__iter__": lambda s: iter(())},
    )


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = _make_stub(name)
        setattr(self, name, value)
        return value


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        module.__version__ = "0.0.0"
        return module

    def exec_module(self, module):
        pass


def load_dspy():
    """Returns the imported `dspy` package (real source, stubbed third-party imports)."""
    _check_paths()
    sys.path.insert(0, JSON_REPAIR_SRC)
    sys.path.insert(0, DSPY_SRC)
    sys.meta_path.append(_StubFinder())
    import dspy  # noqa: PLC0415

    return dspy
