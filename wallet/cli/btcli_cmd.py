"""`polis keys import-btcli NAME --wallet W [--hotkey H …] [--no-hotkeys] [--path P]`.

The btcli wallet's password comes from `--wallet-password-file PATH`, else from the vault passphrase
sources of the unlock policy (`--passphrase-file`, POLIS_PASSPHRASE_FILE, POLIS_PASSPHRASE), else a
prompt on a terminal; a non-interactive run without any of them fails at once, never prompts.
"""

from __future__ import annotations

import argparse
from typing import Any

from wallet.cli.output import emit_json, err, out


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the verb on the `keys` subparsers."""
    p = subparsers.add_parser("import-btcli", help="import a btcli wallet (coldkey, hotkeys) into the vault")
    p.add_argument("name", help="vault account name for the coldkey (hotkeys become NAME.HOTKEY)")
    p.add_argument("--wallet", "-w", required=True, metavar="W",
                   help="btcli wallet name (folder under the wallets path)")
    p.add_argument("--hotkey", action="append", default=None, metavar="H", help="import only this hotkey (repeatable)")
    p.add_argument("--no-hotkeys", action="store_true", help="import the coldkey only")
    p.add_argument("--path", metavar="P", help="wallets folder (default: BT_WALLET_PATH or ~/.bittensor/wallets)")
    p.add_argument("--wallet-password-file", metavar="PATH", help="the btcli wallet's password (default: the vault "
                   "passphrase sources)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--passphrase-file", metavar="PATH", help="read the vault passphrase from this file")
    return p


def run(args: argparse.Namespace) -> int:
    from wallet.cli.common import policy, vault
    from wallet.errors import NotInteractive
    from wallet.keys import btcli_import
    from wallet.keys.unlock import OPTIONS_HELP, read_passphrase_file

    pol = policy(args)
    v = vault()

    def btcli_password() -> str:
        if args.wallet_password_file:
            return read_passphrase_file(args.wallet_password_file)
        got = pol._from_sources(None)
        if got is not None:
            return got
        if not pol._interactive():
            raise NotInteractive(f"btcli wallet {args.wallet!r} is encrypted and this run is not interactive",
                                 hint="give --wallet-password-file PATH, or " + OPTIONS_HELP)
        return pol._ask(f"btcli password for wallet {args.wallet}: ")

    result = btcli_import.import_wallet(
        v, args.name, wallet=args.wallet, hotkeys=args.hotkey, path=args.path,
        btcli_password=btcli_password, vault_passphrase=lambda: pol.new_passphrase(args.name),
        with_hotkeys=not args.no_hotkeys)
    rows = [{"name": m.name, "kind": m.kind, "watch_only": m.watch_only,
             "substrate": m.addresses.get("substrate"), "origin": m.origin} for m in result.accounts]
    if args.json:
        emit_json({"imported": rows, "skipped": result.skipped})
        return 0
    for r in rows:
        out(f"imported {r['name']}: {r['substrate']}" + (" (watch-only)" if r["watch_only"] else ""))
    for s in result.skipped:
        err(f"skipped {s}")
    return 0
