"""Start-up and key-to-frame timing of the cockpit on a pseudo-terminal (helper of
benches/startup_latency.sh). A frame is complete when its synchronized-output end (ESC[?2026l)
arrives; timestamps are taken as the bytes are read from the pty master."""

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

END_SYNC = b"\x1b[?2026l"
BIG = 600


def spawn(argv, env, cols=100, rows=30):
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execve(argv[0], argv, env)
    return t0, pid, fd


class Reader:
    """Reads the pty, keeps every chunk with its arrival time."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""
        self.frames = []  # (end time, bytes of the frame)
        self.pending = b""
        self.first_byte = None

    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            raise EOFError
        if not data:
            raise EOFError
        now = time.perf_counter()
        if self.first_byte is None:
            self.first_byte = now
        self.pending += data
        while END_SYNC in self.pending:
            frame, self.pending = self.pending.split(END_SYNC, 1)
            self.frames.append((now, frame))
        return True

    def until(self, predicate, timeout):
        deadline = time.perf_counter() + timeout
        while not predicate():
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError
            self.pump(left)


def stop(pid, fd):
    try:
        os.write(fd, b"q")
        deadline = time.time() + 5
        while time.time() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            try:
                select.select([fd], [], [], 0.05)
                os.read(fd, 65536)
            except OSError:
                pass
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def ms(v):
    return f"{v * 1000:.1f} ms"


def startup(argv, env, runs):
    first_byte, first_frame, ready = [], [], []
    for _ in range(runs):
        t0, pid, fd = spawn(argv, env)
        rd = Reader(fd)
        try:
            rd.until(lambda: rd.frames, 10)
            first_frame.append(rd.frames[0][0] - t0)
            first_byte.append(rd.first_byte - t0)

            def lanes_ready():
                seen = b"".join(f for _, f in rd.frames)
                return seen.count(b"Ready") >= 3

            rd.until(lanes_ready, 10)
            ready.append(rd.frames[-1][0] - t0)
        finally:
            stop(pid, fd)
    print(f"start-up, {runs} runs, sandbox already running (spawn -> pty bytes):")
    for name, v in [("first byte", first_byte), ("first complete frame", first_frame),
                    ("frame with all 3 lanes Ready", ready)]:
        print(f"  {name:<30} median {ms(pct(v, 50))}  p95 {ms(pct(v, 95))}  max {ms(max(v))}")


def latency(argv, env, pairs):
    t0, pid, fd = spawn(argv, env)
    rd = Reader(fd)
    samples = []
    try:
        rd.until(lambda: b"".join(f for _, f in rd.frames).count(b"Ready") >= 3, 15)
        settle = time.perf_counter() + 2
        while time.perf_counter() < settle:
            rd.pump(settle - time.perf_counter())
        for i in range(pairs * 2):
            # Send in a quiet moment: 300 ms after the last frame (ticks come once a second).
            last = rd.frames[-1][0] if rd.frames else time.perf_counter()
            quiet = last + 0.3
            while time.perf_counter() < quiet:
                rd.pump(quiet - time.perf_counter())
            opening = i % 2 == 0
            n = len(rd.frames)
            sent = time.perf_counter()
            os.write(fd, b"?" if opening else b"\x1b")
            # The key's frame repaints the help box (open or close): hundreds of bytes, where a
            # clock/age frame is ~100-200. (Its text is not contiguous: the diff skips equal cells.)
            rd.until(lambda: any(len(f) > BIG for _, f in rd.frames[n:]), 5)
            done = next(t for t, f in rd.frames[n:] if len(f) > BIG)
            samples.append(done - sent)
    finally:
        stop(pid, fd)
    print(f"key-to-frame latency, {len(samples)} keys ('?' opens help, Esc closes it):")
    print(f"  median {ms(pct(samples, 50))}  p90 {ms(pct(samples, 90))}  p99 {ms(pct(samples, 99))}"
          f"  max {ms(max(samples))}")


def main():
    mode, count, *argv = sys.argv[1:]
    env = dict(kv.split("=", 1) for kv in os.environ.get("BENCH_ENV", "").split("\x1f") if kv)
    (startup if mode == "startup" else latency)(argv, env, int(count))


if __name__ == "__main__":
    main()
