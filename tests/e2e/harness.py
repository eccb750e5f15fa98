"""End-to-end harness: the real Claude Code client against a scripted fake model.

``FakeModel`` is a threaded HTTP server on 127.0.0.1 that speaks enough of the
Anthropic Messages API for ``claude -p``: ``POST /v1/messages`` answered with a
streamed (server-sent events) reply taken from a script, ``count_tokens`` with
a fixed count. Every request body is saved. ``Client`` runs the pinned client
with a throwaway HOME and a scrubbed environment against that server.

    model.script(main=[tool_use("Bash", {"command": "ls"}), text("done")],
                 sub=[text("sub final")])
    result = client.run("do it", allowed_tools=["Bash"])
    result.main_requests[-1]  # the body the model received last

Queues: a main-session request pops ``main``, a subagent request (system[0]
holds ``cc_is_subagent=true``) pops ``sub``; an empty queue answers
``text("ok")``. Side requests the client makes on its own (no tools, e.g. a
title or a quota probe) get ``text("ok")`` and leave the script alone.
A queue item may also be a callable ``(request_body) -> Reply``.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CLAUDE = os.path.join(REPO, ".e2e", "node_modules", ".bin", "claude")
RUN_TIMEOUT_S = 180
SUBAGENT_MARK = "cc_is_subagent=true"

_ids = itertools.count(1)


# ---------------------------------------------------------------- replies


class Reply:
    """One assistant message: content blocks and a stop reason.

    ``tool_use(...) + tool_use(...)`` makes one reply with two parallel calls;
    ``text(...) + tool_use(...)`` a reply that says something, then calls.
    """

    def __init__(self, blocks: list[dict[str, Any]], stop_reason: str) -> None:
        self.blocks = blocks
        self.stop_reason = stop_reason

    def __add__(self, other: Reply) -> Reply:
        blocks = self.blocks + other.blocks
        calls = any(b["type"] == "tool_use" for b in blocks)
        return Reply(blocks, "tool_use" if calls else "end_turn")

    def __repr__(self) -> str:
        return f"Reply({self.blocks!r}, {self.stop_reason!r})"


ScriptItem = Union[Reply, Callable[[dict], Reply]]


def text(s: str) -> Reply:
    """A plain answer that ends the turn (stop reason ``end_turn``)."""
    return Reply([{"type": "text", "text": s}], "end_turn")


def tool_use(name: str, input: dict[str, Any], id: str | None = None) -> Reply:
    """A tool call (stop reason ``tool_use``); the client runs it and sends the result."""
    block = {"type": "tool_use", "id": id or f"toolu_pact{next(_ids):04d}",
             "name": name, "input": input}
    return Reply([block], "tool_use")


def _events(reply: Reply, model: str) -> Iterable[tuple[str, dict]]:
    """The server-sent events of one streamed reply."""
    yield "message_start", {"type": "message_start", "message": {
        "id": f"msg_pact{next(_ids):04d}", "type": "message", "role": "assistant",
        "model": model, "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1}}}
    for index, block in enumerate(reply.blocks):
        if block["type"] == "tool_use":
            start = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        else:
            start = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        yield "content_block_start", {"type": "content_block_start", "index": index,
                                      "content_block": start}
        yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                      "delta": delta}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield "message_delta", {"type": "message_delta",
                            "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
                            "usage": {"output_tokens": 5}}
    yield "message_stop", {"type": "message_stop"}


def _message(reply: Reply, model: str) -> dict:
    """The same reply as one non-streamed JSON message."""
    return {"id": f"msg_pact{next(_ids):04d}", "type": "message", "role": "assistant",
            "model": model, "content": reply.blocks, "stop_reason": reply.stop_reason,
            "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 5}}


# ---------------------------------------------------------------- request reading


def system_text(request: dict) -> str:
    """The request's system prompt blocks joined by blank lines."""
    system = request.get("system") or []
    if isinstance(system, str):
        return system
    return "\n\n".join(b.get("text", "") for b in system if isinstance(b, dict))


def is_subagent(request: dict) -> bool:
    system = request.get("system") or []
    first = system[0].get("text", "") if isinstance(system, list) and system else str(system)
    return SUBAGENT_MARK in first


def is_conversation(request: dict) -> bool:
    """A turn of the main session or a subagent, as opposed to a side request.

    Every conversation turn offers tools; the client's own side requests
    (titles, quota probes, summaries) offer none.
    """
    return bool(request.get("tools"))


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            out.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            out.extend(_texts(block.get("content")))
    return out


def context_text(request: dict) -> str:
    """Every text the request's messages carry (user, assistant, system-role, tool results)."""
    parts: list[str] = []
    for message in request.get("messages", []):
        parts.extend(_texts(message.get("content")))
    return "\n\n".join(parts)


def tool_results(request: dict) -> list[dict]:
    """The tool_result blocks of the request's last user message."""
    for message in reversed(request.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return []
        return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    return []


def result_text(block: dict) -> str:
    """The text of one tool_result block."""
    return "\n".join(_texts(block.get("content")))


def tool_names(request: dict) -> list[str]:
    return [t.get("name", "") for t in request.get("tools") or []]


# ---------------------------------------------------------------- fake model


class FakeModel:
    """The scripted Messages API server. Start with ``start()``, stop with ``close()``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []  # conversation and side requests, in arrival order
        self.paths: list[str] = []  # "METHOD /path" of every HTTP request
        self._queues: dict[str, list[ScriptItem]] = {"main": [], "sub": []}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeModel:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "FakeModel.start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, main: Sequence[ScriptItem] = (), sub: Sequence[ScriptItem] = ()) -> None:
        """Replace both queues: replies for main-session and for subagent requests."""
        with self._lock:
            self._queues = {"main": list(main), "sub": list(sub)}

    def pending(self) -> dict[str, int]:
        """How many scripted replies are still unused, per queue."""
        with self._lock:
            return {k: len(v) for k, v in self._queues.items()}

    def reply_for(self, request: dict) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self._queues["sub" if is_subagent(request) else "main"]
            item = queue.pop(0) if is_conversation(request) and queue else None
        if item is None:
            return text("ok")
        return item(request) if callable(item) else item


def _handler_class(model: FakeModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            model.paths.append(f"GET {self.path}")
            self._json(200, {"data": [], "has_more": False})

        def do_HEAD(self) -> None:
            model.paths.append(f"HEAD {self.path}")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            model.paths.append(f"POST {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            if path.endswith("/count_tokens"):
                self._json(200, {"input_tokens": 100})
                return
            if not path.endswith("/v1/messages"):
                self._json(200, {})
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._json(400, {"type": "error", "error": {
                    "type": "invalid_request_error", "message": "body is not JSON"}})
                return
            reply = model.reply_for(body)
            name = str(body.get("model", "claude-test"))
            if body.get("stream"):
                self._stream(reply, name)
            else:
                self._json(200, _message(reply, name))

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, reply: Reply, name: str) -> None:
            data = b"".join(
                f"event: {kind}\ndata: {json.dumps(payload)}\n\n".encode()
                for kind, payload in _events(reply, name)
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


# ---------------------------------------------------------------- client


class ClaudeMissing(RuntimeError):
    pass


def claude_bin() -> str:
    """The pinned client: ``PACT_CLAUDE_BIN``, else ``<repo>/.e2e/node_modules/.bin/claude``."""
    path = os.environ.get("PACT_CLAUDE_BIN") or DEFAULT_CLAUDE
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ClaudeMissing(
            f"the Claude Code client is not installed at {path}; run `make test` (it "
            "installs the pinned @anthropic-ai/claude-code into .e2e/) or set PACT_CLAUDE_BIN"
        )
    return path


class Result:
    """What one ``claude -p`` run did: its output and the requests the model received."""

    def __init__(self, proc: subprocess.CompletedProcess, requests: list[dict],
                 debug_log: str) -> None:
        self.returncode = proc.returncode
        self.stdout: str = proc.stdout
        self.stderr: str = proc.stderr
        self.all_requests = requests  # including the client's side requests
        self.requests = [r for r in requests if is_conversation(r)]
        self.main_requests = [r for r in self.requests if not is_subagent(r)]
        self.sub_requests = [r for r in self.requests if is_subagent(r)]
        self.debug_log = debug_log

    # Module functions as methods, so tests need only the result object.
    tool_results = staticmethod(tool_results)
    system_text = staticmethod(system_text)
    context_text = staticmethod(context_text)
    result_text = staticmethod(result_text)
    tool_names = staticmethod(tool_names)

    def all_tool_results(self) -> list[dict]:
        """Every tool_result block seen across the run, each once, in order."""
        seen: dict[str, dict] = {}
        for request in self.requests:
            for message in request.get("messages", []):
                content = message.get("content")
                if message.get("role") != "user" or isinstance(content, str):
                    continue
                for block in content:
                    if isinstance(block, dict) and block.get("type") == "tool_result":
                        seen.setdefault(block.get("tool_use_id", str(len(seen))), block)
        return list(seen.values())

    def tool_result_for(self, tool_use_id: str) -> dict:
        for block in self.all_tool_results():
            if block.get("tool_use_id") == tool_use_id:
                return block
        raise KeyError(f"no tool_result for {tool_use_id}; output: {self.stdout!r}")

    def __repr__(self) -> str:
        return (f"Result(returncode={self.returncode}, requests={len(self.requests)}, "
                f"stdout={self.stdout[:200]!r}, stderr={self.stderr[:200]!r})")


class Client:
    """One throwaway HOME and project folder, driving the real client against ``model``."""

    def __init__(self, model: FakeModel, root: str | None = None,
                 claude: str | None = None) -> None:
        self.model = model
        self.claude_path = claude or claude_bin()
        self.root = root or tempfile.mkdtemp(prefix="pact-e2e-")
        self.home = os.path.join(self.root, "home")
        self.project = os.path.join(self.root, "project")
        self.debug_dir = os.path.join(self.root, "debug")
        for folder in (self.home, self.project, self.debug_dir):
            os.makedirs(folder, exist_ok=True)
        self.plugin_dirs: list[str] = []  # passed as --plugin-dir to every run
        self.plugin_data_name = ""  # "<plugin>-<marketplace>" once installed
        self._runs = 0

    @property
    def env(self) -> dict[str, str]:
        """The scrubbed environment: nothing from the developer's shell but PATH."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "ANTHROPIC_BASE_URL": self.model.url,
            "ANTHROPIC_API_KEY": "sk-test",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        }

    @property
    def data_dir(self) -> str:
        """The plugin's CLAUDE_PLUGIN_DATA folder."""
        assert self.plugin_data_name, "no plugin installed or loaded in this client"
        return os.path.join(self.home, ".claude", "plugins", "data", self.plugin_data_name)

    def claude(self, *args: str, timeout: float = RUN_TIMEOUT_S,
               check: bool = True) -> subprocess.CompletedProcess:
        """Run ``claude ARGS`` (e.g. ``plugin validate DIR``) in the project folder."""
        proc = subprocess.run([self.claude_path, *args], cwd=self.project, env=self.env,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"claude {' '.join(args)} exited {proc.returncode}\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return proc

    def install(self, dist: str, plugin: str = "PACT",
                marketplace: str = "pact-marketplace") -> None:
        """``marketplace add DIST`` then ``plugin install PLUGIN@MARKETPLACE``."""
        self.claude("plugin", "marketplace", "add", dist)
        self.claude("plugin", "install", f"{plugin}@{marketplace}")
        self.plugin_data_name = f"{plugin}-{marketplace}"

    def use_plugin_dir(self, plugin_root: str, name: str = "PACT") -> None:
        """Load a plugin folder with ``--plugin-dir`` on every run instead of installing."""
        self.plugin_dirs.append(plugin_root)
        self.plugin_data_name = f"{name}-inline"

    def run(self, prompt: str, allowed_tools: Sequence[str] | None = None,
            args: Sequence[str] = (), timeout: float = RUN_TIMEOUT_S) -> Result:
        """``claude -p PROMPT --output-format text`` in the project; returns a Result."""
        self._runs += 1
        debug_file = os.path.join(self.debug_dir, f"run-{self._runs}.log")
        cmd = [self.claude_path, "-p", prompt, "--output-format", "text",
               "--debug-file", debug_file]
        for folder in self.plugin_dirs:
            cmd += ["--plugin-dir", folder]
        if allowed_tools:
            cmd += ["--allowedTools", ",".join(allowed_tools)]
        cmd += list(args)

        start = len(self.model.requests)
        proc = subprocess.run(cmd, cwd=self.project, env=self.env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        requests = list(self.model.requests[start:])
        try:
            with open(debug_file, encoding="utf-8", errors="replace") as f:
                debug_log = f.read()
        except FileNotFoundError:
            debug_log = ""
        return Result(proc, requests, debug_log)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------- built files


def read_markdown(path: str) -> tuple[dict, str]:
    """A built Markdown file's frontmatter (parsed) and body, as the client splits them."""
    import yaml

    with open(path, encoding="utf-8") as f:
        raw = f.read()
    if not raw.startswith("---\n"):
        return {}, raw
    end = raw.index("\n---\n", 3)
    return yaml.safe_load(raw[4:end]) or {}, raw[end + 5:]


def squash(s: str) -> str:
    """Whitespace collapsed to single spaces, for containment checks across reflowing."""
    return " ".join(s.split())
