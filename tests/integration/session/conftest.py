"""Fixtures for the session integration tests: a Lab of namespaces and a work directory."""
import pytest

from nvbtest import Lab
from nvbtest.peers import Bird, Frr, GoBgp

DAEMONS = {"gobgp": GoBgp, "bird": Bird, "frr": Frr}


@pytest.fixture
def lab():
    with Lab() as lab_:
        yield lab_


@pytest.fixture
def workdir(tmp_path):
    tmp_path.chmod(0o777)
    return tmp_path


@pytest.fixture(autouse=True)
def dump_logs_on_failure(request, workdir):
    """On failure, print every log in the work directory (probe and peers)."""
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for f in sorted(workdir.rglob("*.log")):
            print(f"===== {f.name}\n{f.read_text(errors='replace')[-6000:]}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
