"""The Python client's protocol against a scripted ZeroMQ ROUTER playing the bridge."""
import os
import sys
import threading
import time
import unittest

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from flightdeck_client import open_stream  # noqa: E402
from flightdeck_client._proto import envelope_pb2, transport_pb2  # noqa: E402
from flightdeck_client.packed import MAX_PACKED_BYTES, messages, pack, unpack  # noqa: E402


class FakeBridge:
    """A ROUTER that records every envelope it receives and, when told to, acknowledges like the bridge: the
    highest seq up to which it has every record (a restarted one starts from `first_seq`)."""

    def __init__(self, port=None, first_seq=0):
        self.have = set(range(first_seq))
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        if port is None:
            port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        else:
            for attempt in range(100):  # libzmq releases a closed socket's port in its I/O thread, a moment later
                try:
                    self.sock.bind(f"tcp://127.0.0.1:{port}")
                    break
                except zmq.ZMQError:
                    if attempt == 99:
                        raise
                    time.sleep(0.02)
        self.port = port
        self.address = f"tcp://127.0.0.1:{port}"
        self.received = []
        self.acking = True
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            if not self.sock.poll(20):
                continue
            routing_id, *frames = self.sock.recv_multipart()
            for frame in (envelope for f in frames for envelope in unpack(f)):
                env = envelope_pb2.Envelope()
                env.ParseFromString(frame)
                self.received.append(env)
                self.have.add(env.seq)
                contiguous = 0
                while contiguous + 1 in self.have:
                    contiguous += 1
                if self.acking and 0 in self.have:
                    ack = transport_pb2.ServerMessage()
                    ack.ack.run_id = env.run_id
                    ack.ack.seq = contiguous
                    self.sock.send_multipart([routing_id, ack.SerializeToString()])

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close(0)

    def seqs(self):
        return [e.seq for e in self.received]


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


class StreamTest(unittest.TestCase):
    def test_records_arrive_in_order_and_are_acknowledged(self):
        bridge = FakeBridge()
        try:
            s = open_stream(bridge.address, run_id="py-order", test_problem="quadratic_deep", optimizer="SGD",
                            hyperparameters={"lr": 0.1, "momentum": None, "nesterov": False, "epochs": [1, 2]})
            for t in range(200):
                s.step(t, 0, loss=1.0 / (t + 1), quantities=[{"name": "GradNorm", "vector": [1.0, 2.0], "labels": ["w", "b"]},
                                                             {"name": "Alpha", "scalar": 0.5, "for_step": max(0, t - 1)}])
            s.evaluation(1, test_loss=0.5, test_accuracy=0.9)
            report = s.finish()
            self.assertEqual(report.sent, 203)
            self.assertEqual((report.acknowledged, report.dropped, report.unacknowledged), (203, 0, 0))
            self.assertEqual(bridge.seqs(), list(range(203)))
            first, step, last = bridge.received[0], bridge.received[5], bridge.received[-1]
            self.assertEqual(first.run_started.hyperparameters["lr"].number, 0.1)
            self.assertTrue(first.run_started.hyperparameters["momentum"].null)
            self.assertEqual(first.run_started.framework, "pytorch")
            self.assertEqual(step.step.step, 4)
            self.assertEqual(step.step.quantities[1].for_step, 3)
            self.assertEqual(last.run_finished.status, envelope_pb2.RunFinished.COMPLETED)
            self.assertEqual(last.run_finished.last_step, 199)
        finally:
            bridge.close()

    def test_drop_policy_drops_when_full_without_holes_and_reports_the_count(self):
        bridge = FakeBridge()
        bridge.acking = False
        try:
            s = open_stream(bridge.address, run_id="py-drop", max_unacked=5, when_full="drop", log=lambda _: None)
            for t in range(20):
                s.step(t, 0, loss=1.0)
            self.assertEqual(s.report().dropped, 16)  # RunStarted + 4 steps fill the buffer
            bridge.acking = True
            report = s.finish(timeout=10)
            self.assertEqual(report.dropped, 16)
            self.assertEqual(report.unacknowledged, 0)
            self.assertEqual(sorted(set(bridge.seqs())), list(range(6)))  # resent ones included, no hole
        finally:
            bridge.close()

    def test_wait_policy_blocks_the_producer_until_acks_come(self):
        bridge = FakeBridge()
        bridge.acking = False
        try:
            s = open_stream(bridge.address, run_id="py-wait", max_unacked=3, when_full="wait", resend_after=0.2, log=lambda _: None)
            progress = []
            producer = threading.Thread(target=lambda: [progress.append(s.step(t, 0)) for t in range(10)])
            producer.start()
            time.sleep(0.5)
            self.assertEqual(len(progress), 2)  # RunStarted + 2 steps fill the buffer of 3
            bridge.acking = True
            producer.join(10)
            self.assertEqual(len(progress), 10)
            report = s.finish()
            self.assertEqual((report.dropped, report.unacknowledged), (0, 0))
            self.assertGreater(report.resent, 0)
        finally:
            bridge.close()

    def test_reconnects_and_resends_what_a_restarted_server_never_acknowledged(self):
        bridge = FakeBridge()
        port = bridge.port
        s = open_stream(bridge.address, run_id="py-restart", log=lambda _: None)  # resends on the reconnect itself
        for t in range(50):
            s.step(t, 0)
        wait_until(lambda: s.report().acknowledged == 51)
        bridge.acking = False
        for t in range(50, 80):
            s.step(t, 0)
        wait_until(lambda: len(bridge.received) == 81)
        bridge.close()  # the server dies without acknowledging seqs 51..80
        for t in range(80, 100):
            s.step(t, 0)
        restarted = FakeBridge(port, first_seq=51)  # it had stored 0..50
        try:
            report = s.finish(timeout=10)
            self.assertEqual((report.acknowledged, report.unacknowledged), (101 + 1, 0))
            self.assertEqual(sorted(set(restarted.seqs())), list(range(51, 102)))
        finally:
            restarted.close()

    def test_bad_arguments_are_refused_clearly(self):
        with self.assertRaisesRegex(ValueError, 'when_full must be "wait" or "drop"'):
            open_stream("tcp://127.0.0.1:1", when_full="block")
        with self.assertRaisesRegex(ValueError, "not finite"):
            open_stream("tcp://127.0.0.1:1", hyperparameters={"lr": float("nan")})



class PackedTest(unittest.TestCase):
    def test_messages_pack_small_envelopes_and_send_a_large_one_alone(self):
        payloads = [bytes([i % 251]) * (i % 300) for i in range(600)]
        big = b"x" * (MAX_PACKED_BYTES + 1)
        payloads[400] = big
        got, covered = [], 0
        for start, end, frame in messages(payloads):
            self.assertEqual(start, covered)
            covered = end
            self.assertLessEqual(end - start, 256)
            if end - start == 1:
                self.assertEqual(frame, payloads[start])
            else:
                self.assertLessEqual(len(frame), MAX_PACKED_BYTES)
            got.extend(unpack(frame))
        self.assertEqual(covered, len(payloads))
        self.assertEqual(got, payloads)
        self.assertIn((400, 401, big), list(messages(payloads)))

    def test_a_damaged_pack_is_refused(self):
        frame = pack([b"a" * 10, b"b" * 300])
        with self.assertRaisesRegex(ValueError, "needs 300 bytes"):
            unpack(frame[:-1])


if __name__ == "__main__":
    unittest.main()
