#!/usr/bin/env python3
"""Data-path poller for netprog.py (python3 stdlib only), run inside one lab node's network namespace.

Usage: netprog-poll.py CLUSTER_IP PORT
Reads one expected whoami hostname per line on stdin. For each, opens a new TCP connection to
CLUSTER_IP:PORT every 2 ms (each one a new conntrack flow, so it takes whatever the node's
Service rules say now), sends `GET / HTTP/1.0`, and as soon as the answer's `Hostname:` line is
the expected one prints the epoch time in ms and the number of tries, then waits for the next line.
"""
import socket
import sys
import time


def hostname(ip, port):
    try:
        with socket.create_connection((ip, port), timeout=0.25) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: netprog\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        for line in data.decode("utf-8", "replace").splitlines():
            if line.startswith("Hostname:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def main():
    ip, port = sys.argv[1], int(sys.argv[2])
    print("ready", flush=True)
    for line in sys.stdin:
        want = line.strip()
        if not want:
            continue
        tries = 0
        deadline = time.time() + 60
        while time.time() < deadline:
            tries += 1
            if hostname(ip, port) == want:
                break
            time.sleep(0.002)
        print("%.3f %d" % (time.time() * 1000, tries), flush=True)


if __name__ == "__main__":
    main()
