import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "daemon"))
from nvbtest import Lab  # noqa: E402


@pytest.fixture
def lab():
    with Lab() as lab:
        yield lab
