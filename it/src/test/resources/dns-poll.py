#!/usr/bin/env python3
"""DNS poller for DnsLabTest (python3 stdlib only), run inside a pod's network namespace.

Usage: dns-poll.py PREFIX COUNT DOMAIN
For i = 1..COUNT, asks the pod's nameserver (first `nameserver` of /etc/resolv.conf, i.e. the
cluster DNS for a ClusterFirst pod) for the A record of PREFIX-i.DOMAIN over UDP, every 2 ms,
until an answer with an address comes back; then prints the epoch time in ms and goes on with
i+1. One long-lived client: no process start per try, so the figure is the server's, not the tool's.
"""
import os
import socket
import struct
import sys
import time


def query(name, qid):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.strip(".").split("."))
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\x00" + struct.pack("!HH", 1, 1)


def main():
    prefix, count, domain = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = next(l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.05)
    qid = os.getpid() & 0xFFFF
    for i in range(1, count + 1):
        name = "%s-%d.%s" % (prefix, i, domain)
        while True:
            qid = (qid + 1) & 0xFFFF
            sock.sendto(query(name, qid), (server, 53))
            try:
                while True:
                    data = sock.recv(4096)
                    rid, flags, _, ancount = struct.unpack("!HHHH", data[:8])
                    if rid == qid:
                        break
            except socket.timeout:
                continue
            if flags & 0x000F == 0 and ancount > 0:
                print(int(time.time() * 1000), flush=True)
                break
            time.sleep(0.002)


if __name__ == "__main__":
    main()
