"""Several envelopes in one ZeroMQ frame, as the bridge accepts them (packages/bridge/src/ingest/packed.ts):
`PACKED_MAGIC | (varint length | encoded Envelope)*`. ZeroMQ costs about as much per message part as the bridge
spends on a small record, so a batch goes as one packed frame. The magic's first byte cannot start a protobuf
message, so the bridge never mistakes a packed frame for a single envelope (which it still accepts)."""

PACKED_MAGIC = b"FDB\x01"
# The largest packed frame a client makes; an envelope larger than that goes alone, unpacked.
MAX_PACKED_BYTES = 1 << 20
# Envelopes per message, as the TypeScript client.
MAX_PER_MESSAGE = 256


def _varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def pack(payloads):
    """One frame holding every encoded envelope of `payloads`, in order."""
    return PACKED_MAGIC + b"".join(_varint(len(p)) + p for p in payloads)


def messages(payloads):
    """Splits encoded envelopes into messages: (start, end, frame) with up to MAX_PER_MESSAGE envelopes packed in
    at most MAX_PACKED_BYTES; an envelope sent alone goes as it is."""
    i = 0
    while i < len(payloads):
        j, size = i, len(PACKED_MAGIC)
        while j < len(payloads) and j - i < MAX_PER_MESSAGE:
            size += len(payloads[j]) + 5
            if j > i and size > MAX_PACKED_BYTES:
                break
            j += 1
        yield i, j, payloads[i] if j == i + 1 else pack(payloads[i:j])
        i = j


def unpack(frame):
    """The encoded envelopes of a frame: the packed ones, or the frame itself when it is not packed."""
    if not frame.startswith(PACKED_MAGIC):
        return [frame]
    out, at = [], len(PACKED_MAGIC)
    while at < len(frame):
        length, shift = 0, 0
        while True:
            if at >= len(frame) or shift > 28:
                raise ValueError(f"packed frame: bad length prefix at byte {at}")
            b = frame[at]
            at += 1
            length |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        if at + length > len(frame):
            raise ValueError(f"packed frame: envelope at byte {at} needs {length} bytes, {len(frame) - at} left")
        out.append(frame[at:at + length])
        at += length
    return out
