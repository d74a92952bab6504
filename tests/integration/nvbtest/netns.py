"""Network namespaces owned by one test, wired with veth pairs."""
import itertools
import os
import subprocess

_counter = itertools.count()


def unique_name(tag: str) -> str:
    """A namespace/interface-safe unique name: nvbt<pid><n><tag>, at most 15 chars."""
    base = f"nvbt{os.getpid() % 100000}{next(_counter)}"
    return (base + tag)[:15]


def sh(*args, check=True, capture=True, input_text=None):
    return subprocess.run(list(args), check=check, text=True, input=input_text,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.PIPE if capture else None)


class Netns:
    """One network namespace. Loopback is brought up. Use exec()/popen() to run inside."""

    def __init__(self, tag: str):
        self.name = unique_name(tag)
        sh("ip", "netns", "add", self.name)
        self.exec("ip", "link", "set", "lo", "up")
        self.procs = []

    def exec(self, *args, check=True, input_text=None):
        return sh("ip", "netns", "exec", self.name, *args, check=check, input_text=input_text)

    def out(self, *args) -> str:
        return self.exec(*args).stdout

    def ip(self, *args, check=True):
        return self.exec("ip", *args, check=check)

    def popen(self, args, log_path=None, env=None):
        from .proc import Process
        p = Process(["ip", "netns", "exec", self.name] + list(args), log_path=log_path, env=env)
        self.procs.append(p)
        return p

    def delete(self):
        for p in reversed(self.procs):
            p.stop()
        self.procs.clear()
        sh("ip", "netns", "del", self.name, check=False)


def veth_pair(a: Netns, a_addr: str, b: Netns, b_addr: str, a_if=None, b_if=None):
    """Connects two namespaces with a veth pair and assigns addresses (CIDR form).

    The pair is created directly inside namespace a, so it never exists in the root namespace.
    Returns the interface names (a_if, b_if).
    """
    a_if = a_if or unique_name("a")
    b_if = b_if or unique_name("b")
    a.ip("link", "add", a_if, "type", "veth", "peer", "name", b_if, "netns", b.name)
    for ns, ifn, addr in ((a, a_if, a_addr), (b, b_if, b_addr)):
        if addr:
            fam = "-6" if ":" in addr else "-4"
            ns.ip(fam, "addr", "add", addr, "dev", ifn, *(["nodad"] if ":" in addr else []))
        ns.ip("link", "set", ifn, "up")
    return a_if, b_if


class Lab:
    """A set of namespaces deleted together; use as a context manager or pytest fixture."""

    def __init__(self):
        self.nss = []

    def ns(self, tag: str) -> Netns:
        n = Netns(tag)
        self.nss.append(n)
        return n

    def close(self):
        for n in reversed(self.nss):
            n.delete()
        self.nss.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
