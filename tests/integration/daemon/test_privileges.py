"""Issue 18: started as root with a user to switch to, the daemon keeps only CAP_NET_ADMIN,
CAP_NET_BIND_SERVICE and CAP_NET_RAW, in its effective and permitted sets AND in its bounding
set (nothing it could execute gets more back), and sets no_new_privs."""
import os
import pwd
import shutil
import tempfile

import pytest

from nvbtest import wait_until
from nvd import Nvabgpd

KEPT = (1 << 12) | (1 << 10) | (1 << 13)  # CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges")
def test_dropped_privileges_reduce_the_bounding_set_and_set_no_new_privs(lab):
    user = pwd.getpwnam("nobody")
    # The unprivileged daemon creates its control socket here: a directory it may write to.
    workdir = tempfile.mkdtemp(prefix="nvbt-priv-")
    os.chmod(workdir, 0o777)
    d = None
    try:
        ns = lab.ns("d")
        d = Nvabgpd(ns, workdir, {"router-id": "10.0.0.1", "asn": 65001, "peers": []})
        os.chmod(d.dir, 0o777)
        d.start(args=("--user", "nobody"))
        wait_until(lambda: not d.alive() or "dropped privileges" in d.log(), 20,
                   what="privileges dropped")
        wait_until(lambda: not d.alive() or d.ready(), 20, what="daemon ready")
        assert d.alive(), d.log()
        st = status(d.proc.pid)
        assert st["Uid"].split()[1] == str(user.pw_uid)  # effective uid
        assert int(st["CapEff"], 16) == KEPT, st["CapEff"]
        assert int(st["CapPrm"], 16) == KEPT, st["CapPrm"]
        assert int(st["CapBnd"], 16) == KEPT, st["CapBnd"]
        assert st["NoNewPrivs"] == "1"
    finally:
        if d:
            d.stop()
        shutil.rmtree(workdir, ignore_errors=True)
