"""Fixtures for the end-to-end tests: the built plugin, the fake model and clients.

Every test here is marked ``e2e``. The plugin comes from ``PACT_DIST`` when set,
else it is built once per test session into a temporary folder. A missing
client fails the tests with instructions (it is installed by ``make test``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .harness import REPO, ClaudeMissing, Client, FakeModel, claude_bin

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if str(item.fspath).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.e2e)


def _build(out: str) -> str:
    """Build the plugin into ``out`` with the project's own build, as ``make plugin`` does.

    The build must succeed: a broken build fails every test here rather than being
    replaced by a copy of the sources.
    """
    code = "import sys; from pact_build.cli import main; sys.exit(main())"
    proc = subprocess.run([sys.executable, "-c", code, "build", "--out", out], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(f"pact-plugin build failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
                    "\nFix the content, or point PACT_DIST at a built plugin.", pytrace=False)
    return out


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The built plugin folder (marketplace root holding ``PACT/``)."""
    given = os.environ.get("PACT_DIST")
    if given:
        given = os.path.abspath(given)
        if not os.path.isfile(os.path.join(given, "PACT", ".claude-plugin", "plugin.json")):
            pytest.fail(f"PACT_DIST={given} holds no built plugin (PACT/.claude-plugin/"
                        "plugin.json); run `make plugin` or unset PACT_DIST", pytrace=False)
        return given
    return _build(str(tmp_path_factory.mktemp("dist") / "dist"))


@pytest.fixture(scope="session")
def plugin_root(dist: str) -> str:
    """``<dist>/PACT``: the plugin root the client reads."""
    return os.path.join(dist, "PACT")


@pytest.fixture(scope="session")
def claude_path() -> str:
    try:
        return claude_bin()
    except ClaudeMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def model() -> Iterator[FakeModel]:
    server = FakeModel().start()
    yield server
    server.close()


@pytest.fixture
def client(model: FakeModel, claude_path: str, tmp_path: os.PathLike) -> Client:
    """A fresh HOME and project with no plugin."""
    return Client(model, root=str(tmp_path), claude=claude_path)


@pytest.fixture
def pact(client: Client, dist: str) -> Client:
    """A client with PACT installed through ``marketplace add`` and ``install``."""
    client.install(dist)
    return client


@pytest.fixture
def pact_dir(client: Client, plugin_root: str) -> Client:
    """A client that loads the built plugin with ``--plugin-dir`` (data folder ``PACT-inline``)."""
    client.use_plugin_dir(plugin_root)
    return client
