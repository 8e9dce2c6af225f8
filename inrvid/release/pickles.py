"""A restricted unpickler for release snapshots: it lists every global first, then runs none.

A StyleGAN2-ADA-style snapshot (`network-snapshot-*.pkl` of DIGAN and StyleGAN-V) is a pickle
whose networks are "persistent objects": each one names a reconstructor function and carries
the full source text of its module, which the release's own loader runs with `exec`. Every
tensor inside is a nested pickle (`torch.storage._load_from_bytes`).

Here a pickle is read in two passes:

1. `referenced_globals` walks the opcodes without loading anything and lists every global
   (module and name) the pickle would look up. One outside the `Allowance` refuses the file,
   naming that global, before a single object is built.
2. `load_restricted` unpickles with a `find_class` that hands out only:
   - the tensor and parameter rebuild functions, `OrderedDict`, `torch.Size`, torch dtypes,
     and numpy dtypes and scalars of plain numeric kinds (checked);
   - for `_load_from_bytes`, a reader of the nested pickle with `weights_only=True`;
   - for each persistence reconstructor, a recorder returning a `PersistentRecord` (class
     name, state, and the source as text: never compiled);
   - for each recorded class (torch containers, OmegaConf nodes, `EasyDict`, ...), a stand-in
     class that stores its arguments, state and items (`ObjectRecord`) and runs no method of
     the real class.
   Anything else raises `SnapshotError` naming the global.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import pickletools
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, ClassVar

import numpy as np
import torch

from inrvid.base.errors import SnapshotError

# ---------------------------------------------------------------- what may be named
TENSOR_REBUILDERS: dict[str, Callable[..., Any]] = {
    "torch._utils._rebuild_tensor_v2": torch._utils._rebuild_tensor_v2,
    "torch._utils._rebuild_parameter": torch._utils._rebuild_parameter,
}
NESTED_STORAGE = "torch.storage._load_from_bytes"
DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "uint8", "int16", "int32",
          "int64", "bool", "half", "float", "double", "long", "int", "short")
NUMPY_SCALARS = ("numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar")
NUMPY_KINDS = "biuf"  # bool, signed, unsigned, float: never objects, strings or voids

# Classes stored by name only (never constructed): module containers, distributions and
# OmegaConf's config nodes, as StyleGAN2-ADA-style snapshots hold them.
CORE_RECORDED: frozenset[str] = frozenset({
    "torch.nn.modules.container.Sequential",
    "torch.nn.modules.container.ModuleList",
    "torch.nn.modules.container.ModuleDict",
    "torch.nn.modules.container.ParameterList",
    "torch.nn.modules.container.ParameterDict",
    "torch.nn.modules.linear.Identity",
    "torch.nn.modules.linear.Linear",
    "torch.nn.modules.sparse.Embedding",
    "torch.distributions.beta.Beta",
    "torch.distributions.dirichlet.Dirichlet",
    "omegaconf.dictconfig.DictConfig",
    "omegaconf.listconfig.ListConfig",
    "omegaconf.base.ContainerMetadata",
    "omegaconf.base.Metadata",
    "omegaconf.nodes.AnyNode",
    "omegaconf.nodes.StringNode",
    "omegaconf.nodes.IntegerNode",
    "omegaconf.nodes.FloatNode",
    "omegaconf.nodes.BooleanNode",
    "typing.Any",
    "builtins.object",
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
})


@dataclass(frozen=True)
class Allowance:
    """The globals a snapshot may name beyond tensors and plain values.

    `reconstructors`: the release's persistence reconstructor(s), recorded; `recorded`: classes
    stored by name (the core's `CORE_RECORDED` plus a release's own, e.g. `EasyDict`).
    """

    reconstructors: frozenset[str]
    recorded: frozenset[str] = CORE_RECORDED

    def kind(self, name: str) -> str | None:
        """How `name` is handled (`rebuild`, `value`, `persistent`, `recorded`), or None."""
        if name in TENSOR_REBUILDERS or name == NESTED_STORAGE:
            return "rebuild"
        if name in ("collections.OrderedDict", "collections.defaultdict", "torch.Size",
                    "numpy.dtype", *NUMPY_SCALARS) or _dtype_name(name):
            return "value"
        if name in self.reconstructors:
            return "persistent"
        if name in self.recorded:
            return "recorded"
        return None

    def describe(self) -> str:
        """The allow-list in words, for refusals."""
        return ("tensor and parameter rebuild functions, OrderedDict, torch.Size, dtypes, "
                "numeric numpy scalars, the persistence reconstructor "
                f"({', '.join(sorted(self.reconstructors))}) and "
                f"{len(self.recorded)} classes recorded by name")


def _dtype_name(name: str) -> bool:
    module, _, attr = name.rpartition(".")
    return module == "torch" and attr in DTYPES


# ---------------------------------------------------------------- records
@dataclass
class PersistentRecord:
    """A persistent object of the release, recorded: nothing of its source was compiled."""

    class_name: str
    module_src: str
    state: dict[str, Any]
    version: int

    @property
    def source_sha256(self) -> str:
        """sha256 of the module source text (UTF-8), the fingerprint compared with releases."""
        return source_sha256(self.module_src)


def source_sha256(text: str) -> str:
    """The fingerprint of a module's source text: sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ObjectRecord:
    """An instance of a recorded class: its global name, arguments, state and items.

    Stand-in subclasses (one per global, `recorded_class`) are what the unpickler hands out
    for recorded names, so building one never runs the real class.
    """

    global_name: ClassVar[str] = ""
    args: tuple[Any, ...]
    state: Any
    items: dict[Any, Any]
    elements: list[Any]

    def __new__(cls, *args: Any, **kwargs: Any) -> ObjectRecord:
        """NEWOBJ / REDUCE of the stand-in: keep the arguments, run nothing."""
        obj = super().__new__(cls)
        obj.args, obj.state, obj.items, obj.elements = args, None, {}, []
        return obj

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to do (object.__init__ would refuse the arguments)."""

    def __setstate__(self, state: Any) -> None:
        """BUILD: keep the state as data."""
        self.state = state

    def __setitem__(self, key: Any, value: Any) -> None:
        """SETITEMS of a dict subclass."""
        self.items[key] = value

    def append(self, value: Any) -> None:
        """APPENDS of a list subclass."""
        self.elements.append(value)

    def extend(self, values: Iterable[Any]) -> None:
        """APPENDS of a list subclass."""
        self.elements.extend(values)

    def __repr__(self) -> str:
        return f"<record {self.global_name}>"


_STAND_INS: dict[str, type[ObjectRecord]] = {}


def recorded_class(name: str) -> type[ObjectRecord]:
    """The stand-in class of global `name` (one per name)."""
    if name not in _STAND_INS:
        _STAND_INS[name] = type(name.rpartition(".")[2], (ObjectRecord,), {"global_name": name})
    return _STAND_INS[name]


# ---------------------------------------------------------------- pass 1: the globals
_STRING_PUSHES = {"SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8", "STRING",
                  "BINSTRING", "SHORT_BINSTRING"}


def referenced_globals(stream: IO[bytes], where: str) -> list[str]:
    """Every global the pickle in `stream` names, `module.name`, in order of first use.

    Reads opcodes only. A `STACK_GLOBAL` whose module or name is not a string pushed (or
    fetched from the memo) just before is refused, as are extension-registry opcodes: the
    list must be complete before anything is loaded.
    """
    found: dict[str, None] = {}
    memo: dict[int, Any] = {}
    pushed: list[Any] = []   # the values of recent pushes (None: not a string)
    try:
        for op, arg, pos in pickletools.genops(stream):
            name = op.name
            if name in _STRING_PUSHES:
                pushed.append(arg if isinstance(arg, str) else None)
            elif name == "MEMOIZE":
                memo[len(memo)] = pushed[-1] if pushed else None
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[int(str(arg))] = pushed[-1] if pushed else None
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                pushed.append(memo.get(int(str(arg))))
            elif name in ("GLOBAL", "INST"):
                module, _, attr = str(arg).partition(" ")
                found[f"{module}.{attr}"] = None
                pushed.append(None)
            elif name == "STACK_GLOBAL":
                if len(pushed) < 2 or not all(isinstance(v, str) for v in pushed[-2:]):
                    raise SnapshotError(
                        f"{where}: refused: a global at byte {pos} is not named by plain "
                        "strings, so it cannot be checked before loading\n"
                        "  a release snapshot names its globals plainly; this file was made "
                        "some other way")
                found[f"{pushed[-2]}.{pushed[-1]}"] = None
                pushed.append(None)
            elif name in ("EXT1", "EXT2", "EXT4"):
                raise SnapshotError(
                    f"{where}: refused: opcode {name} at byte {pos} names a global through "
                    "the extension registry, which a release snapshot never uses")
            elif name not in ("PROTO", "FRAME", "STOP", "MARK"):
                pushed.append(None)
            if len(pushed) > 64:
                del pushed[:-8]
    except (ValueError, EOFError) as exc:
        raise SnapshotError(
            f"{where}: not a readable pickle: {exc}\n"
            "  the file may be truncated or not a snapshot; download it again") from None
    return list(found)


def check_globals(names: list[str], allowance: Allowance, where: str) -> None:
    """Refuse the file if any name is outside `allowance`, naming each such global."""
    refused = [n for n in names if allowance.kind(n) is None]
    if refused:
        listed = ", ".join(refused[:8]) + (f" (and {len(refused) - 8} more)"
                                          if len(refused) > 8 else "")
        raise SnapshotError(
            f"{where}: refused: the pickle names {listed}, outside the allow-list; nothing "
            "was loaded or run\n"
            f"  a release snapshot names only {allowance.describe()}")


# ---------------------------------------------------------------- pass 2: loading
def _nested_storage(data: bytes) -> Any:
    """A tensor's storage from its nested pickle, read with `weights_only=True`."""
    if not isinstance(data, bytes):
        raise SnapshotError(f"a nested tensor pickle: expected bytes, got {type(data).__name__}")
    storage = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)  # noqa: TID251 - a storage in memory
    if not isinstance(storage, torch.storage.TypedStorage | torch.UntypedStorage):
        raise SnapshotError(
            f"a nested tensor pickle holds a {type(storage).__name__}, expected a storage")
    return storage


def _numpy_dtype(spec: Any, align: bool = False, copy: bool = True) -> np.dtype[Any]:
    """`numpy.dtype` of a plain numeric type code only."""
    dtype = np.dtype(spec) if isinstance(spec, str) and len(spec) <= 4 else None
    if dtype is None or dtype.kind not in NUMPY_KINDS:
        raise SnapshotError(f"numpy.dtype({spec!r}): only numeric dtypes are allowed")
    return dtype


def _numpy_scalar(dtype: Any, data: Any = None) -> Any:
    """A numpy scalar of a numeric dtype from its bytes, checked for size."""
    if not isinstance(dtype, np.dtype) or dtype.kind not in NUMPY_KINDS:
        raise SnapshotError(f"numpy scalar of dtype {dtype!r}: only numeric dtypes are allowed")
    if not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise SnapshotError(f"numpy scalar of dtype {dtype}: expected {dtype.itemsize} bytes")
    return np.frombuffer(data, dtype=dtype)[0]


def _plain_defaultdict(factory: Any = None, *items: Any) -> dict[Any, Any]:
    """A `defaultdict` becomes a plain dict (its factory, a recorded type, is dropped)."""
    return dict(*items)


def _record_persistent(meta: Any) -> PersistentRecord:
    """The persistence reconstructor's stand-in: record, never compile the source."""
    keys = ("type", "version", "module_src", "class_name", "state")
    if not isinstance(meta, dict) or any(k not in meta for k in keys):
        raise SnapshotError(f"a persistent object's record: expected the keys {keys}")
    if (meta["type"] != "class" or not isinstance(meta["module_src"], str)
            or not isinstance(meta["class_name"], str) or not isinstance(meta["state"], dict)):
        raise SnapshotError(
            "a persistent object's record: expected type 'class' with source text, a class "
            "name and a state dict")
    return PersistentRecord(meta["class_name"], meta["module_src"], dict(meta["state"]),
                            int(meta["version"]))


class _RestrictedUnpickler(pickle.Unpickler):
    """`find_class` per `Allowance`; persistent ids refused."""

    def __init__(self, file: IO[bytes], allowance: Allowance) -> None:
        super().__init__(file)
        self.allowance = allowance

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        kind = self.allowance.kind(full)
        if kind == "rebuild":
            return _nested_storage if full == NESTED_STORAGE else TENSOR_REBUILDERS[full]
        if kind == "value":
            values: dict[str, Any] = {"collections.OrderedDict": OrderedDict,
                                      "collections.defaultdict": _plain_defaultdict,
                                      "torch.Size": torch.Size, "numpy.dtype": _numpy_dtype}
            if full in values:
                return values[full]
            if full in NUMPY_SCALARS:
                return _numpy_scalar
            return getattr(torch, name)
        if kind == "persistent":
            return _record_persistent
        if kind == "recorded":
            return recorded_class(full)
        raise SnapshotError(f"refused global {full} while loading (outside the allow-list)")

    def persistent_load(self, pid: Any) -> Any:
        raise SnapshotError("a persistent id: a release snapshot has none")


def load_restricted(stream: IO[bytes], allowance: Allowance, where: str
                    ) -> tuple[Any, list[str]]:
    """Check every global of the pickle in `stream` (seekable), then unpickle it restricted.

    Returns the top-level object and the globals the pickle names.
    """
    names = referenced_globals(stream, where)
    check_globals(names, allowance, where)
    stream.seek(0)
    try:
        return _RestrictedUnpickler(stream, allowance).load(), names
    except SnapshotError as exc:
        raise SnapshotError(f"{where}: refused: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a damaged pickle raises many kinds
        raise SnapshotError(
            f"{where}: not a readable snapshot: {type(exc).__name__}: {exc}\n"
            "  the file may be truncated or damaged; download it again") from None
