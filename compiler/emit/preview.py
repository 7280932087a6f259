"""Run a target's Pulumi program under Pulumi mocks and record every resource it registers.

The mock monitor sees each `RegisterResourceRequest` whole (type, name, parent, protect, provider, explicit
dependencies, serialized inputs with secrets still marked), so options need no transform to be recorded.
Each run happens on a fresh thread: the Pulumi runtime keeps its state (settings, root stack, config) in
context variables, and a new thread starts with an empty context and its own event loop, so runs in one
process never see each other.

Mocked outputs are plausible and deterministic (ids and ARNs derived from the logical name), so dependent
resources get concrete inputs and two runs give the same bytes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pmocks

from mlops import ir, targets
from mlops.targets.base.mocks import CallFn, Mocks, OutputsFn, digest

SECRET = "[secret]"
UNKNOWN = "[unknown]"
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17": "asset", "0def7320c3a5731c473e5ecbe6d01bc7": "archive"}
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"



@dataclass(frozen=True)
class Recorded:
    """One registered resource, as `resources.json` shows it."""

    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    protect: bool = False
    provider: str | None = None                 # logical name of an explicit provider
    depends_on: tuple[str, ...] = ()             # explicit dependencies (not those implied by inputs)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "name": self.name, "parent": self.parent, "protect": self.protect}
        if self.provider:
            out["provider"] = self.provider
        if self.depends_on:
            out["dependsOn"] = list(self.depends_on)
        out["inputs"] = self.inputs
        return out


@dataclass(frozen=True)
class Preview:
    resources: tuple[Recorded, ...]
    outputs: dict[str, Any] = field(default_factory=dict)   # stack outputs, secrets masked


class _Mocks(pmocks.Mocks):
    def __init__(self, outputs: Mapping[str, OutputsFn], calls: Mapping[str, CallFn]) -> None:
        self.outputs, self.calls = outputs, calls
        self.providers: dict[str, Mapping[str, Any]] = {}   # explicit provider's logical name -> its inputs

    def _provider(self, ref: str | None) -> Mapping[str, Any]:
        return self.providers.get(_name(ref.rsplit("::", 1)[0]), {}) if ref else {}

    def new_resource(self, args: pmocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            self.providers[args.name] = args.inputs
        # The type's own outputs, else its package's ("aws:*"), over the inputs echoed back.
        extra = self.outputs.get(args.typ) or self.outputs.get(args.typ.split(":")[0] + ":*")
        state = {"name": args.name, **args.inputs,
                 **(extra(args.name, args.inputs, self._provider(args.provider)) if extra else {})}
        return state.pop("id", None) or f"{args.name}-{digest(args.typ, args.name)}", state

    def call(self, args: pmocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        fn = self.calls.get(args.token)
        return (dict(fn(args.args, self._provider(args.provider))) if fn else {}), []


class _Recorder(pmocks.MockMonitor):
    """The mock monitor, recording each registration as it arrives (not the request: at thousands of resources
    the protobuf messages would outweigh the rest of the run)."""

    def __init__(self, mocks: pmocks.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Recorded] = []
        self.components: list[tuple[str, str]] = []     # (name, type) of each component resource

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(_record(request))
            if not request.custom:
                self.components.append((request.name, request.type))
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name): StackReference, `get` lookups
        self.recorded.append(_record(request))
        return super().ReadResource(request)  # type: ignore[no-untyped-call]


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _provider_name(ref: str) -> str | None:
    if not ref:
        return None
    name = _name(ref.rsplit("::", 1)[0])
    return None if name == "default" or name.startswith("default_") else name


def clean(value: Any) -> Any:
    """Serialized property values -> plain JSON: secrets masked, references by name, integral floats as ints."""
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            return SECRET
        if sig == _REF_SIG:
            return f"ref:{_name(value.get('urn', ''))}"
        if sig in _ASSET_SIGS:
            return f"[{_ASSET_SIGS[sig]}]"
        return {k: clean(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == _UNKNOWN:
        return UNKNOWN
    return value


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return clean(json.loads(value))
        except ValueError:
            return value
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def _check_parents(components: list[tuple[str, str]]) -> None:
    """`parent` names a component by logical name alone: two components of one name would make it ambiguous."""
    seen: dict[str, str] = {}
    for name, typ in sorted(components):
        if seen.setdefault(name, typ) != typ:
            raise ValueError(f"two components are named '{name}' ({seen[name]}, {typ}): give them distinct names")


def _record(request: Any) -> Recorded:
    parent = request.parent if request.parent and "::pulumi:pulumi:Stack::" not in request.parent else ""
    read = not hasattr(request, "object")          # a ReadResourceRequest: an existing resource looked up by id
    implied = set() if read else {urn for deps in request.propertyDependencies.values() for urn in deps.urns}
    explicit = sorted({_name(u) for u in request.dependencies if u not in implied and u != request.parent})
    inputs = clean(json_format.MessageToDict(request.properties if read else request.object))
    if request.type.startswith("pulumi:providers:"):   # provider inputs travel JSON-encoded: show them as data
        inputs = {k: _decoded(v) for k, v in inputs.items()}
    return Recorded(type=request.type, name=request.name, parent=_name(parent) if parent else None,
                    inputs={"id": request.id, **inputs} if read else inputs,
                    protect=False if read else bool(request.protect),
                    provider=_provider_name(request.provider), depends_on=tuple(explicit))


async def _plain(value: Any) -> Any:
    """A stack output's value with secrets masked."""
    out = pulumi.Output.from_input(value)
    if await out.is_secret():
        return SECRET
    resolved = await out.future()
    if isinstance(resolved, dict):
        return {k: await _plain(v) for k, v in sorted(resolved.items())}
    if isinstance(resolved, (list, tuple)):
        return [await _plain(v) for v in resolved]
    return resolved


@dataclass(frozen=True)
class Setup:
    project: str
    stack: str
    provider: str | None = None                                     # whose target's mocks to use
    config: Mapping[str, str] = field(default_factory=dict)         # stack config, "ns:key" -> text (JSON for objects)
    outputs: Mapping[str, OutputsFn] = field(default_factory=dict)  # more mock outputs (tests, StackReference)
    organization: str = "organization"                              # the Pulumi default for self-managed backends


class _WorkerLoops:
    """The default executor of a run, whose threads' event loops are closed when the run ends.

    The Pulumi runtime sends each registration to the mock monitor on an executor thread, where the monitor runs
    coroutines through `pulumi.runtime.sync_await._ensure_event_loop`: that makes the thread an event loop of its
    own and never closes it. Left open, each is closed by the garbage collector at some later moment, often at
    exit and after its self-pipe socket, and then prints `Exception ignored in: BaseEventLoop.__del__ ...
    ValueError: Invalid file descriptor: -1` on the stderr of a compile that succeeded. Here each worker thread is
    given its loop by the executor's initializer, and `close` shuts the executor down and closes every one."""

    def __init__(self) -> None:
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="mlops-preview-io",
                                                              initializer=self._start)

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loops.append(loop)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for loop in self.loops:
            loop.close()
        self.loops.clear()


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a failed run left pending and close the loop. Left alone, those tasks would be reported when
    garbage-collected, at any later moment and on any thread (CPython 3.11 then formats tracebacks with `ast`,
    which can break an `ast.parse` running at that moment)."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    # Failures worth reporting were raised by `run_pulumi_func`; unretrieved leftovers of that failure are not news.
    loop.set_exception_handler(lambda _loop, _context: None)
    loop.close()
    asyncio.set_event_loop(None)


def _run(program: Callable[[], None], setup: Setup) -> Preview:
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.settings import SETTINGS, get_root_resource
    from pulumi.runtime.stack import run_pulumi_func

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    workers = _WorkerLoops()
    loop.set_default_executor(workers.executor)
    try:
        given = targets.get(setup.provider).mocks() if setup.provider else Mocks()
        mocks = _Mocks({**given.outputs, **setup.outputs}, given.calls)
        monitor = _Recorder(mocks)
        pmocks.set_mocks(mocks, project=setup.project, stack=setup.stack, preview=False, monitor=monitor,
                         organization=setup.organization)
        # MockSettings leaves these two to a process-wide default: a failed run would leave its tasks behind there.
        SETTINGS.outputs = set()
        SETTINGS.lock = threading.Lock()
        set_all_config(dict(setup.config))
        loop.run_until_complete(run_pulumi_func(program))
        root = get_root_resource()
        exported = getattr(root, "outputs", {}) or {}
        stack_outputs = {k: loop.run_until_complete(_plain(v)) for k, v in sorted(exported.items())}
    finally:
        _drain(loop)
        workers.close()
    resources = sorted(monitor.recorded, key=lambda r: (r.type, r.name, r.parent or ""))
    _check_parents(monitor.components)
    return Preview(tuple(resources), stack_outputs)


@contextlib.contextmanager
def _collecting() -> Iterator[None]:
    """The Pulumi runtime leaves reference cycles (tasks, futures, tracebacks): collect them while it runs, even
    where the command turned the cyclic collector off. What existed before is frozen, so it is not rescanned, and
    young objects are collected every 100,000 allocations, not 700: with the default thresholds collecting took 40%
    of a 1,000-model compile, and never collecting costs a third more memory."""
    if gc.isenabled():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    gc.enable()
    try:
        yield
    finally:
        gc.collect()
        gc.disable()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run(program: Callable[[], None], setup: Setup) -> Preview:
    """Run `program` under mocks on a fresh thread (fresh Pulumi runtime state); re-raise what it raised."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["preview"] = _run(program, setup)
        except BaseException as exc:  # noqa: BLE001 re-raised on the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"mlops-preview-{setup.stack}")
    with _collecting():
        thread.start()
        thread.join()
    if "error" in box:
        raise box["error"]
    return box["preview"]  # type: ignore[no-any-return]


def preview_environment(env: ir.Environment) -> Preview:
    target = targets.get(env.target.provider)
    return run(lambda: target.program(env), Setup(f"{env.platform}-infra", env.name, env.target.provider))
