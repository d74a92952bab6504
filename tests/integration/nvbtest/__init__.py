"""Shared helpers for nvabgpd integration tests: namespaces, processes, waiting on events.

Safety rules (see README): everything happens inside network namespaces that the test
creates with a unique 'nvbt' prefix and deletes itself; nothing is attached to the root
namespace's interfaces; processes are ended only by the PID we started.
"""
from .netns import Netns, Lab, veth_pair, unique_name
from .proc import Process, wait_until, wait_for_tcp, build_dir, source_dir, binary

__all__ = ["Netns", "Lab", "veth_pair", "unique_name", "Process", "wait_until",
           "wait_for_tcp", "build_dir", "source_dir", "binary"]
