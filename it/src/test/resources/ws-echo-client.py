#!/usr/bin/env python3
"""Minimal RFC 6455 WebSocket client for IngressLabTest (python3 stdlib only).

Usage: ws-echo-client.py ADDRESS PORT HOST PATH SECONDS
Opens one WebSocket to ADDRESS:PORT with Host: HOST and GET PATH, then every 200 ms sends a masked
text message and waits for the echo. Prints "open" after the 101 handshake, "ok N" per echoed
message, and "done N" after SECONDS; on any failure prints "fail <reason>" and exits 1.
"""
import base64
import hashlib
import os
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def fail(reason):
    print("fail " + reason, flush=True)
    sys.exit(1)


def main():
    address, port, host, path, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
    sock = socket.create_connection((address, port), timeout=5)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(4096)
        if not data:
            fail("closed during handshake: %r" % buf)
        buf += data
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    if " 101 " not in lines[0] + " ":
        fail("handshake status: " + lines[0])
    expected = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
    headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    if headers.get("sec-websocket-accept") != expected:
        fail("bad Sec-WebSocket-Accept: %r" % headers.get("sec-websocket-accept"))
    print("open", flush=True)

    def read_exact(n):
        nonlocal buf
        while len(buf) < n:
            data = sock.recv(65536)
            if not data:
                fail("connection closed by the server")
            buf += data
        out, buf = buf[:n], buf[n:]
        return out

    def read_frame():
        b0, b1 = read_exact(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack("!H", read_exact(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", read_exact(8))[0]
        return b0 & 0x0F, read_exact(length)

    end = time.time() + seconds
    n = 0
    while time.time() < end:
        payload = ("message %d" % n).encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
        opcode, data = read_frame()
        if opcode == 0x8:
            fail("close frame from the server")
        if opcode != 0x1 or data != payload:
            fail("unexpected frame opcode=%d data=%r" % (opcode, data))
        print("ok %d" % n, flush=True)
        n += 1
        time.sleep(0.2)
    sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))
    print("done %d" % n, flush=True)


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        fail(repr(e))
