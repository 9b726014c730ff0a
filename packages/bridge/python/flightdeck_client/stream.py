"""Streams one training run to a Flightdeck bridge over ZeroMQ.

Training never waits for the network: records go into a bounded buffer that a background thread sends. The
server acknowledges records once they are durably stored; unacknowledged ones are sent again when acks stop
coming (the server restarted), and the server drops the duplicates. When the buffer is full the stream either
waits (`when_full="wait"`) or drops the record (`when_full="drop"`) and counts it; `finish()` reports the count.
"""
import collections
import os
import socket
import sys
import threading
import time
import uuid

import zmq
from zmq.utils.monitor import recv_monitor_message

from ._proto import SCHEMA_VERSION, envelope_pb2, transport_pb2
from .packed import messages
from .records import RUN_STATUS, quantity_message, run_started

Report = collections.namedtuple("Report", "sent acknowledged resent dropped rejected unacknowledged")


class Stream:
    """One run's record stream. Create it with `open_stream`; call `step`, `evaluation`, `checkpoint`, then
    `finish`. Thread-safe for one producer thread."""

    def __init__(self, address, run_id, started, max_unacked=10000, when_full="wait", resend_after=30.0,
                 curve=None, log=None):
        if when_full not in ("wait", "drop"):
            raise ValueError(f'when_full must be "wait" or "drop", got {when_full!r}')
        if max_unacked < 1:
            raise ValueError(f"max_unacked must be at least 1, got {max_unacked}")
        self.run_id = run_id
        self.address = address
        self._max = max_unacked
        self._when_full = when_full
        self._resend_after = resend_after
        self._curve = curve
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._cond = threading.Condition()
        self._unacked = collections.OrderedDict()  # seq -> frame, in seq order
        self._outgoing = collections.deque()
        self._next_seq = 0
        self._counts = dict(sent=0, acknowledged=0, resent=0, dropped=0)
        self._rejected = []
        self._refusal = None  # why the server refuses this client's handshake, while it does
        self._closing = False
        self._full_notice = False
        self._last_step = 0
        self._last_epoch = 0
        self._ctx = zmq.Context.instance()
        self._wake_addr = f"inproc://flightdeck-wake-{uuid.uuid4().hex}"
        self._wake_rx = self._ctx.socket(zmq.PAIR)
        self._wake_rx.bind(self._wake_addr)
        self._wake_tx = self._ctx.socket(zmq.PAIR)
        self._wake_tx.connect(self._wake_addr)
        self._wake_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"flightdeck-sender-{run_id}", daemon=True)
        self._thread.start()
        self._emit("run_started", started)

    # -- records -----------------------------------------------------------------------------------------

    def step(self, step, epoch, loss=None, quantities=()):
        """One training step: the mini-batch loss and any instrument values (dicts, see records.quantity_message)."""
        rec = envelope_pb2.StepRecord(step=int(step), epoch=int(epoch))
        if loss is not None:
            rec.loss = float(loss)
        rec.quantities.extend(quantity_message(q) for q in quantities)
        self._last_step, self._last_epoch = int(step), int(epoch)
        return self._emit("step", rec)

    def evaluation(self, epoch, step=None, source="trainer", **metrics):
        """An evaluation pass; metrics are train_loss, test_accuracy, learning_rate, ... (EvaluationRecord names)."""
        rec = envelope_pb2.EvaluationRecord(epoch=int(epoch), source=source)
        if step is not None:
            rec.step = int(step)
        for k, v in metrics.items():
            if v is not None:
                setattr(rec, k, float(v))
        return self._emit("evaluation", rec)

    def checkpoint(self, epoch, step, data=None, path=None, format="onnx"):
        """A model snapshot: ONNX bytes (or a path the bridge can read) for independent evaluation."""
        rec = envelope_pb2.Checkpoint(epoch=int(epoch), step=int(step), format=format)
        if data is not None:
            rec.data = bytes(data)
        elif path is not None:
            rec.path = str(path)
        else:
            raise ValueError("checkpoint needs data or path")
        return self._emit("checkpoint", rec)

    def heartbeat(self, step):
        return self._emit("heartbeat", envelope_pb2.Heartbeat(step=int(step)))

    def finish(self, status="completed", message="", timeout=30.0):
        """Sends RunFinished, waits up to `timeout` s for every acknowledgement, stops the sender, reports."""
        if status not in RUN_STATUS:
            raise ValueError(f"status must be one of {sorted(RUN_STATUS)}, got {status!r}")
        rec = envelope_pb2.RunFinished(status=RUN_STATUS[status], message=message,
                                       last_step=self._last_step, last_epoch=self._last_epoch)
        self._emit("run_finished", rec)
        deadline = time.monotonic() + timeout
        with self._cond:
            # Nothing is acknowledged while the server refuses the handshake: no point waiting for the timeout.
            while self._unacked and not self._refusal and time.monotonic() < deadline:
                self._cond.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            self._closing = True
        self._wake()
        self._thread.join()
        self._wake_tx.close(0)
        report = self.report()
        if report.dropped or report.rejected or report.unacknowledged:
            self._log(f"flightdeck: run {self.run_id}: {report.dropped} records dropped (buffer full), "
                      f"{len(report.rejected)} refused by the server, {report.unacknowledged} unacknowledged")
        return report

    def report(self):
        with self._cond:
            return Report(rejected=list(self._rejected), unacknowledged=len(self._unacked), **self._counts)

    # -- producer side -----------------------------------------------------------------------------------

    def _emit(self, field, record):
        with self._cond:
            if self._closing:
                raise RuntimeError(f"run {self.run_id}: the stream is finished")
            while len(self._unacked) >= self._max:
                if not self._full_notice:
                    self._log(f"flightdeck: run {self.run_id}: {self._max} records unacknowledged; "
                              + ("dropping records" if self._when_full == "drop" else "waiting for the server"))
                    self._full_notice = True
                if self._refusal and self._when_full == "wait":
                    raise ConnectionRefusedError(self._refusal)
                if self._when_full == "drop" and field not in ("run_started", "run_finished"):
                    # Dropped before numbering, so the stored run has no hole in its sequence.
                    self._counts["dropped"] += 1
                    return None
                self._cond.wait(0.1)
            env = envelope_pb2.Envelope(schema_version=SCHEMA_VERSION, run_id=self.run_id, seq=self._next_seq,
                                        time_unix_us=time.time_ns() // 1000)
            getattr(env, field).CopyFrom(record)
            frame = env.SerializeToString()
            seq = self._next_seq
            self._next_seq += 1
            self._unacked[seq] = frame
            self._outgoing.append(frame)
            self._counts["sent"] += 1
        self._wake()
        return seq

    def _wake(self):
        with self._wake_lock:
            if not self._wake_tx.closed:
                try:
                    self._wake_tx.send(b"", zmq.NOBLOCK)
                except zmq.Again:
                    pass  # the sender has wake-ups queued already

    # -- sender thread -----------------------------------------------------------------------------------

    def _socket(self):
        s = self._ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.SNDHWM, 100000)
        s.setsockopt_string(zmq.ROUTING_ID, f"py-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}")
        if self._curve:
            s.curve_serverkey = self._curve["server_public_key"].encode()
            s.curve_publickey = self._curve["public_key"].encode()
            s.curve_secretkey = self._curve["secret_key"].encode()
        # Every completed handshake after the first is a reconnect: the server may have restarted and lost what
        # was in flight; a failed one means the server refuses this client. The monitor is attached before
        # connecting so that the first handshake is counted.
        monitor = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH
                                       | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
        s.connect(self.address)
        return s, monitor

    def _run(self):
        sock, monitor = self._socket()
        handshakes = 0
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(self._wake_rx, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        last_progress = time.monotonic()
        stall = self._resend_after
        try:
            while True:
                events = dict(poller.poll(max(10, int(self._resend_after * 250))))
                if self._wake_rx in events:
                    while self._wake_rx.poll(0):
                        self._wake_rx.recv()
                resend = False
                if monitor in events:
                    while monitor.poll(0):
                        event = recv_monitor_message(monitor)["event"]
                        if event == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                            self._refused(None)
                            handshakes += 1
                            resend = resend or handshakes > 1
                        else:
                            self._refused(event)
                if sock in events:
                    while sock.poll(0):
                        if self._on_reply(sock.recv()):
                            last_progress = time.monotonic()
                            stall = self._resend_after
                with self._cond:
                    if self._closing:
                        return
                    batch = list(self._outgoing)
                    self._outgoing.clear()
                    if not self._unacked:
                        last_progress = time.monotonic()
                    elif resend or time.monotonic() - last_progress > stall:
                        # A reconnect, or no ack for a while (a reconnect went unnoticed): everything unacked goes
                        # again; the wait doubles while acks stay away, so a slow server is not flooded with copies.
                        batch = list(self._unacked.values())
                        self._counts["resent"] += len(batch)
                        if not resend:
                            stall = min(2 * stall, 8 * self._resend_after)
                        last_progress = time.monotonic()
                for start, _end, frame in messages(batch):
                    try:
                        sock.send(frame, zmq.NOBLOCK)
                    except zmq.Again:
                        # No connection can take it now (the server is away, or refuses our key): keep the rest
                        # for the next round instead of blocking, so that finish() always returns.
                        with self._cond:
                            self._outgoing.extendleft(reversed(batch[start:]))
                        break
        finally:
            sock.disable_monitor()
            monitor.close(0)
            sock.close(0)
            self._wake_rx.close(0)

    def _refused(self, event):
        """Records (and says once) that the server refuses the handshake; wakes a producer waiting for space."""
        with self._cond:
            if event is None:
                self._refusal = None
                return
            first = self._refusal is None
            why = ("refused this client's CurveZMQ key" if event == zmq.EVENT_HANDSHAKE_FAILED_AUTH else
                   "failed the security handshake: do both sides use CurveZMQ, with the server's public key?")
            self._refusal = (f"flightdeck: run {self.run_id}: the server at {self.address} {why}; "
                             f"{len(self._unacked)} records stay unacknowledged")
            self._cond.notify_all()
        if first:
            self._log(self._refusal)

    def _on_reply(self, frame):
        msg = transport_pb2.ServerMessage()
        try:
            msg.ParseFromString(frame)
        except Exception as e:  # noqa: BLE001 - a garbled reply must not stop the sender
            self._log(f"flightdeck: unreadable server message: {e}")
            return False
        with self._cond:
            if msg.HasField("ack") and msg.ack.run_id == self.run_id:
                n = 0
                while self._unacked and next(iter(self._unacked)) <= msg.ack.seq:
                    self._unacked.popitem(last=False)
                    n += 1
                self._counts["acknowledged"] += n
                self._cond.notify_all()
                return n > 0
            if msg.HasField("reject"):
                r = msg.reject
                self._rejected.append((r.seq if r.HasField("seq") else None, r.code, r.message))
                self._log(f"flightdeck: run {self.run_id}: server refused seq {r.seq}: {r.message}")
                if r.HasField("seq") and self._unacked.pop(r.seq, None) is not None:
                    self._cond.notify_all()
                    return True
        return False


def open_stream(address="tcp://127.0.0.1:5555", run_id=None, test_problem="custom", optimizer="", *,
                hyperparameters=None, seed=0, batch_size=0, num_epochs=0, parameter_names=(), dataset="",
                labels=None, training_params=None, instruments=None, max_unacked=10000, when_full="wait",
                resend_after=30.0, curve=None, log=None):
    """Opens a run's stream and sends its RunStarted record. `run_id` defaults to
    "<test_problem>-<optimizer>-<seed>-<random>". `curve` = {"server_public_key", "public_key", "secret_key"}."""
    import torch

    run_id = run_id or f"{test_problem}-{optimizer or 'opt'}-{seed}-{uuid.uuid4().hex[:12]}"
    started = run_started(test_problem, optimizer, hyperparameters=hyperparameters, seed=seed,
                          batch_size=batch_size, num_epochs=num_epochs, parameter_names=parameter_names,
                          dataset=dataset, framework="pytorch", framework_version=torch.__version__,
                          backend="cpu", host=socket.gethostname(), labels=labels, training_params=training_params,
                          instruments=instruments)
    return Stream(address, run_id, started, max_unacked=max_unacked, when_full=when_full,
                  resend_after=resend_after, curve=curve, log=log)
