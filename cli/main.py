"""``station``: one command line for the backend, the kiosk, the simulators and the demo."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from cli.audit import add_audit_commands
from cli.devices import add_devices_commands
from cli.staff import add_staff_commands
from config.settings import PROJECT_ROOT, BackendSettings, KioskSettings

DEMO_FACES = PROJECT_ROOT.parent / "shared" / "data" / "faces" / "people"


def _server(args: argparse.Namespace) -> int:
    from backend.server import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    serve(BackendSettings(**overrides))
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from backend.commands import migrate

    settings = BackendSettings()
    migrate(settings)
    print(f"database is at the newest revision: {settings.resolved_database_url}")
    return 0


def _kiosk_register(args: argparse.Namespace) -> int:
    from backend.commands import kiosk_sequence_floor_command, register_kiosk_command

    settings = BackendSettings()
    credential = register_kiosk_command(
        settings, args.code, args.name, args.office, rotate=args.rotate
    )
    floor = kiosk_sequence_floor_command(settings, args.code)
    print(f"kiosk {args.code}: case numbers continue above sequence {floor}", file=sys.stderr)
    if args.credential_file:
        path = Path(args.credential_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(credential + "\n")
        path.chmod(0o600)
        print(f"credential written to {path}", file=sys.stderr)
    print(credential)
    return 0


def _kiosk_revoke(args: argparse.Namespace) -> int:
    from backend.commands import revoke_kiosk_command

    revoke_kiosk_command(BackendSettings(), args.code)
    print(f"kiosk {args.code}: credential revoked")
    return 0


def _kiosk_run(args: argparse.Namespace) -> int:
    from kiosk.main import run_kiosk

    settings = KioskSettings()
    run_kiosk(
        profile_path=Path(args.profile or settings.kiosk_profile),
        var_dir=settings.var_dir,
        backend_url=args.backend_url or settings.backend_url,
        credential=settings.kiosk_credential,
        screenshot_dir=Path(args.screenshots) if args.screenshots else None,
    )
    return 0


def _registry_seed(args: argparse.Namespace) -> int:
    from backend.commands import seed_registry_command

    changed = seed_registry_command(BackendSettings(), Path(args.folder))
    print(f"registry seeded from {args.folder}: {changed} people added or updated")
    return _registry_list(args)


def _registry_list(args: argparse.Namespace) -> int:
    from backend.identity.demo_people import DEMO_PEOPLE

    print("demo people (reference photo <name>_1.*; other photos of them verify):")
    for person in DEMO_PEOPLE:
        born = person.birth_date.strftime("%d.%m.%Y")
        print(f"  {person.name:<10} personal number {person.personal_number}  born {born}")
    return 0


def _identity_show(args: argparse.Namespace) -> int:
    from backend.commands import show_case_identity_command
    from backend.errors import DomainError

    try:
        print(show_case_identity_command(BackendSettings(), args.case_number))
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _payments_list(args: argparse.Namespace) -> int:
    from backend.commands import list_payments_command

    print(list_payments_command(BackendSettings(), args.day))
    return 0


def _payments_reconcile(args: argparse.Namespace) -> int:
    from backend.commands import reconcile_payments_command

    text, reconciled = reconcile_payments_command(BackendSettings(), args.day)
    print(text)
    return 0 if reconciled else 1


def _add_payments_commands(sub: argparse._SubParsersAction) -> None:
    payments = sub.add_parser("payments", help="state fee orders and their reconciliation")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    day_help = "the day, YYYY-MM-DD in Tashkent time (default: today)"
    listing = payments_sub.add_parser("list", help="a day's fee orders")
    listing.add_argument("--day", type=date.fromisoformat, help=day_help)
    listing.set_defaults(func=_payments_list)
    reconcile = payments_sub.add_parser(
        "reconcile", help="a day's paid, unused and refund-due fees; exit 1 if they do not add up"
    )
    reconcile.add_argument("--day", type=date.fromisoformat, help=day_help)
    reconcile.set_defaults(func=_payments_reconcile)


def _sim_printer(args: argparse.Namespace) -> int:
    from devices.printer.simulator import run_printer_simulator

    run_printer_simulator(args.host, args.port, args.control_port, Path(args.out))
    return 0


def _sim_scanner(args: argparse.Namespace) -> int:
    from devices.scanner.simulator import run_scanner_simulator

    run_scanner_simulator(args.control_port, args.link)
    return 0


def _sim_camera(args: argparse.Namespace) -> int:
    from devices.camera.run_camera_simulator import main as run_camera_simulator

    options = ["--port", str(args.port), "--control-port", str(args.control_port)]
    options += ["--fps", str(args.fps), "--scenario", args.scenario]
    if args.person:
        options += ["--person", args.person]
    return run_camera_simulator(options)


def _sim_fingerprint(args: argparse.Namespace) -> int:
    from devices.fingerprint.run_fingerprint_simulator import main as run_fingerprint_simulator

    options = ["--control-port", str(args.control_port), "--link", args.link]
    if args.auto_fingers:
        options.append("--auto-fingers")
    return run_fingerprint_simulator([*options, "--baudrate", str(args.baudrate)])


def _sim_payme(args: argparse.Namespace) -> int:
    from payments.provider_control import run_payme_simulator

    key = args.merchant_key or os.environ.get("STATION_PAYME_KEY")
    if not key:
        print("error: give --merchant-key (or set STATION_PAYME_KEY)", file=sys.stderr)
        return 2
    run_payme_simulator(args.backend_url, key, args.port, args.control_port)
    return 0


def _sim_control(args: argparse.Namespace) -> int:
    from cli.sim_control import send_control_line

    if args.device == "payme":
        from payments.provider_control import send_payme_command

        reply = send_payme_command(args.port or 9107, " ".join(args.command))
        print(reply)
        return 0 if reply.startswith("ok") else 1
    port = (
        args.port
        or {"printer": 9101, "scanner": 9102, "camera": 9104, "fingerprint": 9105}[args.device]
    )
    print(send_control_line("127.0.0.1", port, " ".join(args.command)))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from cli.demo import run_demo

    return run_demo(port=args.port, profile=Path(args.profile))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="station", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    server = sub.add_parser("server", help="run the backend service")
    server.add_argument("--host")
    server.add_argument("--port", type=int)
    server.set_defaults(func=_server)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every migration").set_defaults(func=_db_upgrade)

    add_audit_commands(sub)

    kiosk = sub.add_parser("kiosk", help="register, revoke or run a kiosk")
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", required=True)
    register = kiosk_sub.add_parser("register", help="register a kiosk; prints its credential")
    register.add_argument("code", help="four-digit kiosk code")
    register.add_argument("--name", required=True)
    register.add_argument("--office", default="")
    register.add_argument("--rotate", action="store_true", help="replace an existing credential")
    register.add_argument("--credential-file", help="also write the credential to this file")
    register.set_defaults(func=_kiosk_register)
    revoke = kiosk_sub.add_parser("revoke", help="revoke a kiosk's credential")
    revoke.add_argument("code")
    revoke.set_defaults(func=_kiosk_revoke)
    run = kiosk_sub.add_parser("run", help="run the kiosk app")
    run.add_argument("--profile", help="kiosk profile TOML (default: STATION_KIOSK_PROFILE)")
    run.add_argument("--backend-url")
    run.add_argument("--screenshots", help="save a screenshot of every screen here")
    run.set_defaults(func=_kiosk_run)

    registry = sub.add_parser("registry", help="the person registry faces are verified against")
    registry_sub = registry.add_subparsers(dest="registry_command", required=True)
    seed = registry_sub.add_parser("seed", help="enrol the demo people from their photos")
    seed.add_argument("--folder", default=str(DEMO_FACES), help="faces/people of the test data")
    seed.set_defaults(func=_registry_seed)
    registry_sub.add_parser("list", help="the demo people").set_defaults(func=_registry_list)

    identity = sub.add_parser("identity", help="identity checks of cases")
    identity_sub = identity.add_subparsers(dest="identity_command", required=True)
    show = identity_sub.add_parser("show", help="a case's face verification and duplicate hits")
    show.add_argument("case_number")
    show.set_defaults(func=_identity_show)

    _add_payments_commands(sub)
    add_staff_commands(sub)
    add_devices_commands(sub)

    sim = sub.add_parser("sim", help="device simulators")
    sim_sub = sim.add_subparsers(dest="sim_command", required=True)
    printer = sim_sub.add_parser("printer", help="ESC/POS receipt printer on TCP")
    printer.add_argument("--host", default="127.0.0.1")
    printer.add_argument("--port", type=int, default=9100)
    printer.add_argument("--control-port", type=int, default=9101)
    printer.add_argument("--out", default=str(PROJECT_ROOT / "var" / "receipts"))
    printer.set_defaults(func=_sim_printer)
    scanner = sim_sub.add_parser("scanner", help="serial line QR scanner on a pseudo-terminal")
    scanner.add_argument("--control-port", type=int, default=9102)
    scanner.add_argument("--link", default=str(PROJECT_ROOT / "var" / "scanner.tty"))
    scanner.set_defaults(func=_sim_scanner)
    fingerprint = sim_sub.add_parser(
        "fingerprint", help="R30x fingerprint reader on a pseudo-terminal, real finger images"
    )
    fingerprint.add_argument("--control-port", type=int, default=9105)
    fingerprint.add_argument("--link", default=str(PROJECT_ROOT / "var" / "fingerprint.tty"))
    fingerprint.add_argument("--baudrate", type=int, default=57600)
    fingerprint.add_argument(
        "--auto-fingers",
        action="store_true",
        help="present a finger by itself when the reader waits for one (unattended demo)",
    )
    fingerprint.set_defaults(func=_sim_fingerprint)
    camera = sim_sub.add_parser("camera", help="camera streaming MJPEG over HTTP, with scenarios")
    camera.add_argument("--port", type=int, default=9103)
    camera.add_argument("--control-port", type=int, default=9104)
    camera.add_argument("--fps", type=float, default=15.0)
    camera.add_argument(
        "--scenario", default="approaching", help="nobody, approaching, live, two_people, photo..."
    )
    camera.add_argument("--person", help="the photo the scenario shows, e.g. obama_2")
    camera.set_defaults(func=_sim_camera)
    payme = sim_sub.add_parser(
        "payme", help="Payme's side: pays fee orders through the backend's merchant endpoint"
    )
    payme.add_argument("--backend-url", default="http://127.0.0.1:8000")
    payme.add_argument(
        "--merchant-key", help="the backend's Payme key (default: STATION_PAYME_KEY)"
    )
    payme.add_argument("--port", type=int, default=9106, help="its checkout page (HTTP)")
    payme.add_argument("--control-port", type=int, default=9107)
    payme.set_defaults(func=_sim_payme)
    control = sim_sub.add_parser(
        "control",
        help='tell a running simulator something: "paper out", "scan <text>", "act blink", '
        '"pay <checkout link> [mode]"',
    )
    control.add_argument("device", choices=["printer", "scanner", "camera", "fingerprint", "payme"])
    control.add_argument("command", nargs="+")
    control.add_argument("--port", type=int, help="its control port")
    control.set_defaults(func=_sim_control)

    demo = sub.add_parser("demo", help="backend + simulators + one registered kiosk")
    demo.add_argument("--port", type=int, default=8000, help="backend port")
    demo.add_argument("--profile", default=str(PROJECT_ROOT / "config/profiles/demo.toml"))
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
