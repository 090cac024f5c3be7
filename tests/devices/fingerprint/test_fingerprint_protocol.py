"""The R30x packet codec: framing, commands, system parameters and image packing."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from devices.fingerprint import protocol
from devices.fingerprint.interface import (
    BadChecksum,
    BadHeader,
    BadLength,
    ReaderStatus,
    UnexpectedPacket,
    WrongAddress,
)
from devices.fingerprint.protocol import Packet, PacketDecoder
from devices.fingerprint.simulator import load_finger_image

COMMANDS = [
    (protocol.vfy_pwd(0x12345678), protocol.VFY_PWD, struct.pack(">I", 0x12345678)),
    (protocol.command(protocol.READ_SYS_PARA), protocol.READ_SYS_PARA, b""),
    (protocol.command(protocol.GEN_IMG), protocol.GEN_IMG, b""),
    (protocol.command(protocol.UP_IMAGE), protocol.UP_IMAGE, b""),
    (protocol.img2tz(2), protocol.IMG2TZ, b"\x02"),
    (protocol.up_char(1), protocol.UP_CHAR, b"\x01"),
    (protocol.command(protocol.REG_MODEL), protocol.REG_MODEL, b""),
    (protocol.store(1, 513), protocol.STORE, b"\x01\x02\x01"),
    (protocol.command(protocol.MATCH), protocol.MATCH, b""),
    (protocol.search(1, 0, 1000), protocol.SEARCH, b"\x01\x00\x00\x03\xe8"),
    (protocol.command(protocol.TEMPLATE_NUM), protocol.TEMPLATE_NUM, b""),
]


def test_known_vfy_pwd_bytes() -> None:
    # The VfyPwd packet for password 0 as printed in the R30x datasheet.
    assert protocol.vfy_pwd(0) == bytes.fromhex("ef01ffffffff010007130000000000 1b")
    assert protocol.command(protocol.GEN_IMG) == bytes.fromhex("ef01ffffffff0100030100 05")


@pytest.mark.parametrize(("encoded", "code", "parameters"), COMMANDS)
def test_every_command_round_trips(encoded: bytes, code: int, parameters: bytes) -> None:
    packet = protocol.decode_packet(encoded)
    assert packet == Packet(protocol.COMMAND_PACKET, bytes([code]) + parameters)
    assert protocol.encode_packet(packet) == encoded


@pytest.mark.parametrize(
    "packet_id",
    [protocol.COMMAND_PACKET, protocol.DATA_PACKET, protocol.ACK_PACKET, protocol.END_DATA_PACKET],
)
def test_packet_kinds_and_addresses_round_trip(packet_id: int) -> None:
    packet = Packet(packet_id, bytes(range(200)), 0x0A0B0C0D)
    encoded = protocol.encode_packet(packet)
    assert len(encoded) == protocol.OVERHEAD + 200
    assert protocol.decode_packet(encoded, 0x0A0B0C0D) == packet


def test_checksum_is_sum_of_id_length_and_payload() -> None:
    payload = b"\xff" * 256
    expected = (2 + (258 >> 8) + (258 & 0xFF) + 255 * 256) & 0xFFFF
    assert protocol.checksum(2, payload) == expected
    assert protocol.encode_packet(Packet(2, payload))[-2:] == struct.pack(">H", expected)


def test_bad_header_is_rejected() -> None:
    encoded = bytearray(protocol.command(protocol.GEN_IMG))
    encoded[0] = 0xEE
    with pytest.raises(BadHeader):
        protocol.decode_packet(bytes(encoded))


def test_bad_checksum_is_rejected() -> None:
    encoded = bytearray(protocol.img2tz(1))
    encoded[-1] ^= 0x01
    with pytest.raises(BadChecksum):
        protocol.decode_packet(bytes(encoded))


def test_payload_change_breaks_the_checksum() -> None:
    encoded = bytearray(protocol.img2tz(1))
    encoded[10] = 2
    with pytest.raises(BadChecksum):
        protocol.decode_packet(bytes(encoded))


@pytest.mark.parametrize("cut", [1, 3])
def test_bad_length_is_rejected(cut: int) -> None:
    encoded = protocol.img2tz(1)
    with pytest.raises(BadLength):
        protocol.decode_packet(encoded[:-cut])
    with pytest.raises(BadLength):
        protocol.decode_packet(encoded + b"\x00" * cut)


def test_wrong_address_is_rejected_unless_any_is_accepted() -> None:
    encoded = protocol.command(protocol.GEN_IMG, address=0x00000001)
    with pytest.raises(WrongAddress):
        protocol.decode_packet(encoded)
    assert protocol.decode_packet(encoded, None).address == 1


def test_unknown_packet_id_is_rejected() -> None:
    with pytest.raises(ValueError):
        protocol.encode_packet(Packet(0x05, b""))


def test_decoder_returns_packets_fed_byte_by_byte() -> None:
    stream = b"".join(encoded for encoded, _, _ in COMMANDS)
    decoder = PacketDecoder()
    packets = [p for byte in stream for p in decoder.feed(bytes([byte]))]
    assert [p.payload[0] for p in packets] == [code for _, code, _ in COMMANDS]


def test_decoder_resynchronises_after_garbage() -> None:
    garbage = b"\x00\xef\x55\xef\x01\x02\x03\xffnoise\xef"
    stream = garbage + protocol.ack(0, b"\x01\x02") + b"\x13\xef\x01" + protocol.ack(9)
    decoder = PacketDecoder()
    packets = decoder.feed(stream[:20]) + decoder.feed(stream[20:])
    assert [protocol.split_ack(p) for p in packets] == [(0, b"\x01\x02"), (9, b"")]
    assert decoder.discarded == len(garbage) + 3


def test_decoder_raises_bad_packet_then_carries_on() -> None:
    bad = bytearray(protocol.ack(0))
    bad[-1] ^= 0xFF
    decoder = PacketDecoder()
    with pytest.raises(BadChecksum):
        decoder.feed(bytes(bad) + protocol.ack(2)[:5])
    # Bytes after the bad packet were kept: the next packet completes normally.
    assert [protocol.split_ack(p) for p in decoder.feed(protocol.ack(2)[5:])] == [(2, b"")]


def test_decoder_rejects_other_address() -> None:
    decoder = PacketDecoder(expected_address=0xFFFFFFFF)
    with pytest.raises(WrongAddress):
        decoder.feed(protocol.ack(0, address=7))


def test_split_ack_refuses_other_packets() -> None:
    with pytest.raises(UnexpectedPacket):
        protocol.split_ack(Packet(protocol.DATA_PACKET, b"\x00"))


@pytest.mark.parametrize(("size", "code"), [(32, 0), (64, 1), (128, 2), (256, 3)])
def test_system_parameters_parse(size: int, code: int) -> None:
    data = struct.pack(">HHHHIHH", 1, 0x0009, 1000, 3, 0xFFFFFFFF, code, 6)
    status = protocol.parse_system_parameters(data)
    assert status == ReaderStatus(1, 9, 1000, 3, 0xFFFFFFFF, size, 57600)
    assert status.busy
    assert protocol.encode_system_parameters(status) == data


def test_system_parameters_must_be_16_bytes() -> None:
    with pytest.raises(UnexpectedPacket):
        protocol.parse_system_parameters(b"\x00" * 15)


def test_image_pack_unpack_round_trip_on_a_real_finger() -> None:
    image = load_finger_image("afisA_1")
    assert image.shape == (protocol.IMAGE_HEIGHT, protocol.IMAGE_WIDTH)
    packed = protocol.pack_image(image)
    assert len(packed) == protocol.IMAGE_BYTES == 36864
    assert packed[0] >> 4 == image[0, 0] >> 4 and packed[0] & 0x0F == image[0, 1] >> 4
    unpacked = protocol.unpack_image(packed)
    assert unpacked.dtype == np.uint8
    np.testing.assert_array_equal(unpacked, protocol.quantise(image))
    assert unpacked.max() <= 255 and set(np.unique(unpacked)) <= {17 * n for n in range(16)}
    assert protocol.pack_image(unpacked) == packed


def test_image_sent_as_data_packets_ending_with_end_packet() -> None:
    data = protocol.pack_image(load_finger_image("nbisP1_1"))
    stream = protocol.data_packets(data, 128)
    packets = PacketDecoder().feed(stream)
    assert len(packets) == 288
    assert {p.packet_id for p in packets[:-1]} == {protocol.DATA_PACKET}
    assert packets[-1].packet_id == protocol.END_DATA_PACKET
    assert b"".join(p.payload for p in packets) == data
    assert len(stream) == 36864 + 288 * protocol.OVERHEAD
