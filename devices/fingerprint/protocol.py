"""R30x/ZFM/AS608 packet codec: framing, commands, system parameters, image packing (no I/O)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from devices.fingerprint.interface import (
    BadChecksum,
    BadHeader,
    BadLength,
    ReaderStatus,
    UnexpectedPacket,
    WrongAddress,
)

HEADER = b"\xef\x01"
DEFAULT_ADDRESS = 0xFFFFFFFF
OVERHEAD = 11  # header 2 + address 4 + id 1 + length 2 + checksum 2
MAX_PAYLOAD = 256 + 1  # the largest data packet, with room for a confirmation byte

COMMAND_PACKET = 0x01
DATA_PACKET = 0x02
ACK_PACKET = 0x07
END_DATA_PACKET = 0x08
PACKET_IDS = (COMMAND_PACKET, DATA_PACKET, ACK_PACKET, END_DATA_PACKET)

GEN_IMG = 0x01
IMG2TZ = 0x02
MATCH = 0x03
SEARCH = 0x04
REG_MODEL = 0x05
STORE = 0x06
UP_CHAR = 0x08
UP_IMAGE = 0x0A
READ_SYS_PARA = 0x0F
VFY_PWD = 0x13
TEMPLATE_NUM = 0x1D

IMAGE_WIDTH = 256
IMAGE_HEIGHT = 288
IMAGE_BYTES = IMAGE_WIDTH * IMAGE_HEIGHT // 2
PACKET_SIZES = (32, 64, 128, 256)


@dataclass(frozen=True)
class Packet:
    """One packet on the line."""

    packet_id: int
    payload: bytes
    address: int = DEFAULT_ADDRESS


def checksum(packet_id: int, payload: bytes) -> int:
    """Sum of packet id, both length bytes and the payload, mod 65536."""
    length = len(payload) + 2
    return (packet_id + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def encode_packet(packet: Packet) -> bytes:
    if packet.packet_id not in PACKET_IDS:
        raise ValueError(f"unknown packet id 0x{packet.packet_id:02X}")
    if len(packet.payload) > MAX_PAYLOAD:
        raise BadLength(f"payload of {len(packet.payload)} bytes is too long")
    return (
        HEADER
        + struct.pack(">IBH", packet.address, packet.packet_id, len(packet.payload) + 2)
        + packet.payload
        + struct.pack(">H", checksum(packet.packet_id, packet.payload))
    )


def decode_packet(data: bytes, expected_address: int | None = DEFAULT_ADDRESS) -> Packet:
    """Decode exactly one packet; ``expected_address`` None accepts any address."""
    if len(data) < OVERHEAD:
        raise BadLength(f"{len(data)} bytes is shorter than any packet")
    if data[:2] != HEADER:
        raise BadHeader(f"packet starts with {data[:2].hex(' ')}, not ef 01")
    address, packet_id, length = struct.unpack(">IBH", data[2:9])
    if packet_id not in PACKET_IDS:
        raise UnexpectedPacket(f"unknown packet id 0x{packet_id:02X}")
    if length < 2 or length - 2 > MAX_PAYLOAD or len(data) != 9 + length:
        raise BadLength(f"length field {length} does not fit a {len(data)}-byte packet")
    payload = bytes(data[9 : 7 + length])
    (received,) = struct.unpack(">H", data[7 + length : 9 + length])
    if received != checksum(packet_id, payload):
        raise BadChecksum(
            f"checksum 0x{received:04X}, expected 0x{checksum(packet_id, payload):04X}"
        )
    if expected_address is not None and address != expected_address:
        raise WrongAddress(f"packet for address 0x{address:08X}, expected 0x{expected_address:08X}")
    return Packet(packet_id, payload, address)


class PacketDecoder:
    """Incremental decoder: feed bytes as they arrive, get whole packets back.

    Bytes before an EF 01 header are line noise and are dropped. A packet with a bad checksum,
    length or address is consumed and raised, so the next feed starts cleanly after it.
    """

    def __init__(self, expected_address: int | None = DEFAULT_ADDRESS) -> None:
        self._expected_address = expected_address
        self._buffer = bytearray()
        self.discarded = 0

    def reset(self) -> None:
        self._buffer.clear()

    def feed(self, data: bytes) -> list[Packet]:
        """Add ``data``; return the packets now complete (raises on the first invalid one)."""
        self._buffer.extend(data)
        packets: list[Packet] = []
        while True:
            packet = self._next_packet()
            if packet is None:
                return packets
            packets.append(packet)

    def _next_packet(self) -> Packet | None:
        start = self._buffer.find(HEADER)
        if start < 0:
            # Keep a trailing EF: it may be the first half of the next header.
            keep = 1 if self._buffer.endswith(HEADER[:1]) else 0
            self.discarded += len(self._buffer) - keep
            del self._buffer[: len(self._buffer) - keep]
            return None
        self.discarded += start
        del self._buffer[:start]
        if len(self._buffer) < 9:
            return None
        length = int.from_bytes(self._buffer[7:9], "big")
        if length < 2 or length - 2 > MAX_PAYLOAD or self._buffer[6] not in PACKET_IDS:
            # Not a real header (EF 01 inside noise): skip it and look for the next one.
            del self._buffer[:2]
            self.discarded += 2
            return self._next_packet()
        if len(self._buffer) < 9 + length:
            return None
        raw = bytes(self._buffer[: 9 + length])
        del self._buffer[: 9 + length]
        return decode_packet(raw, self._expected_address)


def command(code: int, parameters: bytes = b"", address: int = DEFAULT_ADDRESS) -> bytes:
    """A command packet, encoded."""
    return encode_packet(Packet(COMMAND_PACKET, bytes([code]) + parameters, address))


def ack(confirmation: int, data: bytes = b"", address: int = DEFAULT_ADDRESS) -> bytes:
    """An acknowledgement packet, encoded."""
    return encode_packet(Packet(ACK_PACKET, bytes([confirmation]) + data, address))


def vfy_pwd(password: int) -> bytes:
    return command(VFY_PWD, struct.pack(">I", password))


def img2tz(buffer_id: int) -> bytes:
    return command(IMG2TZ, bytes([buffer_id]))


def up_char(buffer_id: int) -> bytes:
    return command(UP_CHAR, bytes([buffer_id]))


def store(buffer_id: int, page_id: int) -> bytes:
    return command(STORE, struct.pack(">BH", buffer_id, page_id))


def search(buffer_id: int, start_page: int, page_count: int) -> bytes:
    return command(SEARCH, struct.pack(">BHH", buffer_id, start_page, page_count))


def split_ack(packet: Packet) -> tuple[int, bytes]:
    """(confirmation code, data) of an acknowledgement packet."""
    if packet.packet_id != ACK_PACKET or not packet.payload:
        raise UnexpectedPacket(
            f"expected an acknowledgement, got packet id 0x{packet.packet_id:02X}"
        )
    return packet.payload[0], packet.payload[1:]


def parse_system_parameters(data: bytes) -> ReaderStatus:
    """The 16 bytes ReadSysPara returns after its confirmation code."""
    if len(data) != 16:
        raise UnexpectedPacket(f"system parameters are 16 bytes, got {len(data)}")
    status, system_id, library, security, address, size_code, baud_n = struct.unpack(
        ">HHHHIHH", data
    )
    if size_code >= len(PACKET_SIZES):
        raise UnexpectedPacket(f"unknown packet size code {size_code}")
    return ReaderStatus(
        status=status,
        system_id=system_id,
        library_size=library,
        security_level=security,
        address=address,
        packet_size=PACKET_SIZES[size_code],
        baudrate=9600 * baud_n,
    )


def encode_system_parameters(status: ReaderStatus) -> bytes:
    return struct.pack(
        ">HHHHIHH",
        status.status,
        status.system_id,
        status.library_size,
        status.security_level,
        status.address,
        PACKET_SIZES.index(status.packet_size),
        status.baudrate // 9600,
    )


def pack_image(image: np.ndarray) -> bytes:
    """A 288x256 uint8 image as 4-bit pixels, two per byte, high nibble first."""
    if image.shape != (IMAGE_HEIGHT, IMAGE_WIDTH):
        raise ValueError(f"image must be {IMAGE_HEIGHT}x{IMAGE_WIDTH}, got {image.shape}")
    nibbles = (image.astype(np.uint8) >> 4).reshape(-1)
    return ((nibbles[0::2] << 4) | nibbles[1::2]).astype(np.uint8).tobytes()


def unpack_image(data: bytes) -> np.ndarray:
    """4-bit packed pixels back to a 288x256 uint8 image, each level scaled to 0..255."""
    if len(data) != IMAGE_BYTES:
        raise BadLength(f"image data is {len(data)} bytes, expected {IMAGE_BYTES}")
    packed = np.frombuffer(data, dtype=np.uint8)
    nibbles = np.empty(packed.size * 2, dtype=np.uint8)
    nibbles[0::2] = packed >> 4
    nibbles[1::2] = packed & 0x0F
    return (nibbles * 17).reshape(IMAGE_HEIGHT, IMAGE_WIDTH)


def quantise(image: np.ndarray) -> np.ndarray:
    """What an image looks like after a trip through the 4-bit upload."""
    return (image.astype(np.uint8) >> 4) * np.uint8(17)


def data_packets(data: bytes, packet_size: int, address: int = DEFAULT_ADDRESS) -> bytes:
    """``data`` split into data packets of ``packet_size``, the last one an end packet."""
    chunks = [data[i : i + packet_size] for i in range(0, len(data), packet_size)] or [b""]
    out = bytearray()
    for index, chunk in enumerate(chunks):
        packet_id = END_DATA_PACKET if index == len(chunks) - 1 else DATA_PACKET
        out += encode_packet(Packet(packet_id, chunk, address))
    return bytes(out)
