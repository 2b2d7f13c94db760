"""`polis keys …`: the vault from the command line."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

from wallet.cli.common import interactive, policy, vault
from wallet.cli.output import emit_json, err, out, table, when
from wallet.errors import BadInput, NotInteractive, VaultError
from wallet.keys.vault import AccountMeta, Vault


def _meta_json(m: AccountMeta) -> dict[str, object]:
    return {"name": m.name, "kind": m.kind, "watch_only": m.watch_only, "addresses": m.addresses,
            "paths": m.paths, "index": m.index, "words": m.words, "created": m.created // 1_000_000,
            "remembered": m.remembered, "origin": m.origin}


def _read_secret_input(what: str, path: str | None) -> str:
    """A secret from a file, a hidden prompt, or piped stdin; never from argv."""
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    if getattr(sys.stdin, "polis_closed", False) or sys.stdin.closed:
        raise BadInput(f"standard input is closed: no {what} to read",
                       hint="pipe it on stdin or use the --…-file option")
    if interactive():
        import getpass

        return getpass.getpass(f"{what}: ").strip()
    data = sys.stdin.read().strip()
    if not data:
        raise NotInteractive(f"no {what} given", hint="pipe it on stdin or use the --…-file option")
    return data


def run(args: argparse.Namespace) -> int:
    return {
        "new": _new, "import": _import, "list": _list, "show": _show, "rename": _rename, "remove": _remove,
        "export": _export, "remember": _remember, "forget": _forget,
    }[args.verb](args)


def _new(args: argparse.Namespace) -> int:
    from wallet.keys import derive
    from wallet.keys.vault import validate_name

    v = vault()
    validate_name(args.name)
    if any(a.name == args.name for a in v.accounts()):
        raise BadInput(f"an account named {args.name!r} already exists")
    show = _show_mode(args)
    if args.out:
        from wallet.paths import check_new_target

        check_new_target(args.out)
    pol = policy(args)
    passphrase = pol.new_passphrase(args.name)
    phrase = derive.generate_mnemonic(args.words)
    if args.verify:
        _verify(phrase)
    if args.out:
        from wallet.paths import write_new_private

        write_new_private(args.out, (phrase + "\n").encode())
    try:
        meta = v.add_mnemonic(args.name, phrase, passphrase, origin="new")
    except BaseException:
        if args.out:
            Path(args.out).unlink(missing_ok=True)
        raise
    if args.out:
        err(f"wrote the recovery phrase of {meta.name} to {args.out} (mode 0600)")
    if args.json:
        # Secrets never go into JSON output: back the phrase up with 'keys export NAME --out FILE'.
        emit_json({**_meta_json(meta), "backup": f"polis keys export {meta.name} --out FILE"})
        return 0
    if show == "print":
        _show_mnemonic(phrase)
    elif show == "withheld":
        err("the recovery phrase was not printed because stdout is not a terminal; back it up with "
            f"'polis keys export {meta.name} --out FILE' (or run 'keys new' with --show or --out)")
    out(f"created {meta.name}: {meta.addresses['evm']}")
    return 0


def _show_mode(args: argparse.Namespace) -> str:
    """How a new mnemonic is shown: "print" (a terminal, or --show), "withheld" (a pipe or file without
    --show), "none" (--no-show, --out, --verify shows it itself, --json never carries secrets)."""
    if args.show and (args.no_show or args.json):
        raise BadInput("--show cannot be combined with --no-show or --json (JSON output never carries secrets)")
    if args.verify and not (interactive() and sys.stdout.isatty()):
        raise NotInteractive("--verify needs a terminal (stdin and stdout)")
    if args.no_show or args.out or args.verify or args.json:
        return "none"
    return "print" if args.show or sys.stdout.isatty() else "withheld"


def _verify(phrase: str) -> None:
    """Show the words on the terminal's alternate screen (so they never enter the scrollback), then
    ask for three of them back."""
    sys.stdout.write("\x1b[?1049h\x1b[2J\x1b[H")
    try:
        _show_mnemonic(phrase)
        input("Write the words down, then press Enter to verify them… ")
    finally:
        sys.stdout.write("\x1b[2J\x1b[H\x1b[?1049l")
        sys.stdout.flush()
    words = phrase.split()
    for i in sorted(secrets.SystemRandom().sample(range(len(words)), 3)):
        if input(f"Word #{i + 1}: ").strip().lower() != words[i]:
            raise BadInput("that word does not match; nothing was saved, run 'keys new' again")


def _show_mnemonic(phrase: str) -> None:
    words = phrase.split()
    out("Your recovery phrase (shown once; write it down, keep it offline):")
    for i in range(0, len(words), 6):
        out("  " + "  ".join(f"{i + k + 1:>2}. {w:<9}" for k, w in enumerate(words[i:i + 6])))


def _import(args: argparse.Namespace) -> int:
    from wallet.keys.vault import validate_name

    v = vault()
    validate_name(args.name)
    if any(a.name == args.name for a in v.accounts()):
        raise BadInput(f"an account named {args.name!r} already exists")
    if args.watch is not None:
        from wallet.addresses import parse_evm_address

        meta = v.add_watch(args.name, {"evm": parse_evm_address(args.watch)})
    elif args.mnemonic or args.mnemonic_file:
        from wallet.keys.derive import validate_mnemonic

        phrase = validate_mnemonic(_read_secret_input("mnemonic", args.mnemonic_file))
        meta = v.add_mnemonic(args.name, phrase, policy(args).new_passphrase(args.name), index=args.index)
    elif args.private_key or args.private_key_file:
        text = _read_secret_input("private key (hex)", args.private_key_file).removeprefix("0x")
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise BadInput("the private key is not hex") from None
        meta = v.add_private_key(args.name, key, policy(args).new_passphrase(args.name))
    else:
        meta = _import_keystore(args, v)
    if args.json:
        emit_json(_meta_json(meta))
    else:
        out(f"imported {meta.name}: {', '.join(f'{k} {a}' for k, a in meta.addresses.items())}"
            + (" (watch-only)" if meta.watch_only else ""))
    return 0


def _import_keystore(args: argparse.Namespace, v: Vault) -> AccountMeta:
    from wallet.keys import keystore
    from wallet.keys.unlock import UnlockPolicy

    try:
        raw = Path(args.keystore).read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {args.keystore}: {exc.strerror}") from None
    try:
        doc = keystore.load_json(raw, args.keystore)
    except VaultError as exc:
        raise BadInput(str(exc)) from None
    src_policy = UnlockPolicy(passphrase_file=args.keystore_passphrase_file or args.passphrase_file)
    meta_stub = AccountMeta(id="import", name=f"{Path(args.keystore).name}", kind="private_key", addresses={})
    key = keystore.decrypt(doc, src_policy.passphrase(meta_stub), origin=f"keystore {args.keystore}")
    return v.add_private_key(args.name, key, policy(args).new_passphrase(args.name), origin="keystore")


def _ens_names(accounts: list[AccountMeta], *, ask: bool) -> dict[str, str]:
    """lower-case EVM address → ENS name: the archive's, or (`ask`, --names) asked of the nodes and kept.
    A names problem never stops the listing: it warns and shows what the archive knows."""
    from wallet.errors import PolisError
    from wallet.services.names import account_names

    evm = [m.addresses["evm"] for m in accounts if m.addresses.get("evm")]
    if not evm:
        return {}
    def warn(network: str, exc: Exception) -> None:
        err(f"warning: ENS names on {network} not refreshed ({exc}); showing the archived ones")

    try:
        return account_names(evm, ask=ask, on_error=warn)
    except PolisError as exc:
        err(f"warning: ENS names not shown ({exc})")
        return {}


def _list(args: argparse.Namespace) -> int:
    accounts = vault().accounts()
    names = _ens_names(accounts, ask=bool(getattr(args, "names", False)))

    def name_of(m: AccountMeta) -> str | None:
        return names.get(m.addresses.get("evm", "").lower())

    if args.json:
        emit_json([{**_meta_json(m), "ens_name": name_of(m)} for m in accounts])
        return 0
    if not accounts:
        out("no accounts yet: 'polis keys new NAME' or 'polis keys import NAME --mnemonic'")
        return 0
    ens = bool(names) and any(name_of(m) for m in accounts)  # the column appears once an account has a name
    table(["NAME", "KIND", "EVM ADDRESS", *(["ENS"] if ens else []), "CREATED"],
          [[m.name, m.kind + (" (keyring)" if m.remembered else ""), m.addresses.get("evm", "-"),
            *([name_of(m) or "-"] if ens else []), when(m.created // 1_000_000)] for m in accounts],
          max_width={3: 64} if ens else None)
    return 0


def _show(args: argparse.Namespace) -> int:
    v = vault()
    m = v.get(args.name)
    if args.derive and m.kind == "mnemonic":
        from wallet.keys import derive

        unlocked = policy(args).unlock(v, m)
        for name, d in derive.derive_all(unlocked.mnemonic() or "", m.index).items():
            m.addresses.setdefault(name, d.address)
            m.paths.setdefault(name, d.path)
        v.update(m)
    ens = _ens_names([m], ask=bool(getattr(args, "names", False))).get(m.addresses.get("evm", "").lower())
    if args.json:
        emit_json({**_meta_json(m), "ens_name": ens})
        return 0
    out(f"{m.name} ({m.kind}{', watch-only' if m.watch_only else ''})")
    for fam, addr in m.addresses.items():
        path = m.paths.get(fam, "")
        out(f"  {fam:<10} {addr}" + (f"   {path}" if path else ""))
    if ens:
        from wallet.textsafe import clean

        out(f"  {'ens':<10} {clean(ens, limit=64)}")
    if m.remembered:
        out("  passphrase kept in the OS keyring")
    return 0


def _rename(args: argparse.Namespace) -> int:
    m = vault().rename(args.old, args.new)
    if args.json:
        emit_json(_meta_json(m))
    else:
        out(f"renamed {args.old} to {m.name}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    v = vault()
    m = v.get(args.name)
    if not args.yes:
        if not interactive():
            raise NotInteractive(f"removing {m.name} needs confirmation", hint="add --yes")
        kind = "its address" if m.watch_only else "its encrypted key; without a backup the funds are lost"
        if input(f"Remove {m.name} ({m.addresses.get('evm')}) and {kind}? Type the name to confirm: ") != m.name:
            raise BadInput("not confirmed; nothing removed")
    v.remove(m.name)
    if args.json:
        emit_json({"removed": m.name})
    else:
        out(f"removed {m.name}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from wallet.keys import keystore
    from wallet.paths import check_new_target, write_new_private

    v = vault()
    if args.out:
        check_new_target(args.out)
    m = v.get(args.name)
    if m.watch_only:
        raise BadInput(f"{m.name} is watch-only: there is no secret to export")
    if m.kind not in ("mnemonic", "private_key"):
        raise BadInput(f"{m.name} holds a raw {m.kind} key imported from btcli; export it with btcli "
                       "(Polis exports mnemonics, EVM private keys and keystores)")
    fmt = args.format or ("mnemonic" if m.kind == "mnemonic" else "private-key")
    if fmt == "mnemonic" and m.kind != "mnemonic":
        raise BadInput(f"{m.name} was imported as a private key: it has no mnemonic")
    if not args.out and not sys.stdout.isatty() and not args.yes:
        raise NotInteractive("refusing to write a secret to a pipe or file without --yes",
                             hint="use --out PATH (written 0600) or add --yes")
    pol = policy(args)
    unlocked = pol.unlock(v, m)
    if fmt == "mnemonic":
        text = unlocked.mnemonic() or ""
    elif fmt == "private-key":
        text = "0x" + unlocked.private_key("evm").hex()
    else:
        passphrase = pol.passphrase(m)
        doc = keystore.encrypt(unlocked.private_key("evm"), passphrase, address=m.addresses.get("evm"))
        text = json.dumps(doc)
    if args.out:
        write_new_private(args.out, (text + "\n").encode())
        err(f"wrote the {fmt} of {m.name} to {args.out} (mode 0600)")
    else:
        sys.stdout.write(text + "\n")
    return 0


def _remember(args: argparse.Namespace) -> int:
    from wallet.keys.unlock import remember

    v = vault()
    m = v.get(args.name)
    if m.watch_only:
        raise BadInput(f"{m.name} is watch-only: it has no passphrase")
    pol = policy(args)
    remember(v, m, pol.passphrase(m))
    out(f"the passphrase of {m.name} is now kept in the OS keyring; 'polis keys forget {m.name}' removes it")
    return 0


def _forget(args: argparse.Namespace) -> int:
    from wallet.keys.unlock import forget

    v = vault()
    m = v.get(args.name)
    forget(v, m)
    out(f"the OS keyring no longer holds the passphrase of {m.name}")
    return 0
