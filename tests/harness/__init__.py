"""Test harness for Paddock's integration and differential tests (standard library + kazoo).

servers.py starts paddockd or Apache ZooKeeper 3.8 on a free loopback port in a temp dir;
zkwire.py is a raw synchronous wire client; proxy.py a TCP proxy whose connections a test
can cut; base.py the unittest base class that ties them together and cleans up.
"""
