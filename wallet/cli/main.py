"""`polis <noun> <verb>`: argument parsing and error-to-exit-code mapping.

Command bodies live in sibling modules and are imported only when their command runs, so
`polis --help` pays for argparse alone.
"""

from __future__ import annotations

import argparse
import errno
import sys
from importlib import import_module
from typing import Any

from wallet.cli import argtypes, process
from wallet.cli.errors import file_error, internal, report_error, snake
from wallet.cli.parser import Later, OnlySubparsers, PolisParser, Sink

EPILOG = """exit codes: 0 ok · 1 action failed or refused · 2 bad input or usage ·
3 needs a passphrase or confirmation but not interactive · 4 node unreachable
data: POLIS_HOME (or the platform's config/data dirs); NO_COLOR disables colour"""


def _common(p: argparse.ArgumentParser, *, json: bool = True, write: bool = False, unlock: bool = False) -> None:
    if json:
        p.add_argument("--json", action="store_true", help="print JSON (schema in the README)")
    if write:
        p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
        p.add_argument("--dry-run", action="store_true", help="check and show the plan, change nothing")
        p.add_argument("--rpc", metavar="URL", type=argtypes.node_url,
                       help="use this node instead of the network's first rpc")
        p.add_argument("--max-fee", metavar="AMOUNT", type=argtypes.fee_cap,
                       help="refuse to sign when the fee may exceed this "
                            "(e.g. '0.01 ETH'; default: the network's max_fee)")
    if unlock or write:
        p.add_argument("--passphrase-file", metavar="PATH", help="read the vault passphrase from this file")


def _batch_fee_cap(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-fee", metavar="[NETWORK=]AMOUNT", type=argtypes.fee_cap_for, action="append", default=[],
                   help="refuse to sign an action whose fee may exceed this, over the plan's [policy.max_fee] "
                        "(repeatable: a bare AMOUNT for every network, NETWORK=AMOUNT or NETWORK/DAO=AMOUNT for one)")


def _global_options(p: argparse.ArgumentParser, *, top: bool, skip: frozenset[str] = frozenset()) -> None:
    """The options every command takes before or after its name (`polis --timeout 60 sync` is
    `polis sync --timeout 60`), defined once. After the name they default to nothing, so a value given
    before the name stays unless the command's own replaces it; a command with an option of the same
    name (`proposals simulate --timeout`, the fork's) keeps its own (`skip`)."""
    default: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    if "--debug" not in skip:
        p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors", **default)
    if "--timeout" not in skip:
        p.add_argument("--timeout", type=argtypes.seconds, metavar="SECONDS", dest="command_timeout",
                       help="stop the command after this many seconds of network work, however many requests it "
                            "makes (0: no limit; default $POLIS_COMMAND_TIMEOUT, else per command: reads 300, "
                            "vote/delegate/stake 900, sync 3600, batch 21600)", **default)


def _commands_take_global_options(p: argparse.ArgumentParser, only: str = "*") -> None:
    """Give every command (each leaf of the parser tree; of the noun `only` when one is being run) the
    global options."""
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        _global_options(p, top=False, skip=frozenset(s for a in p._actions for s in a.option_strings))
    seen: set[int] = set()
    for a in subs:
        for name, child in a.choices.items():
            if isinstance(child, Later):  # built, with the global options, only if it is reached
                continue
            if only in ("*", name) and id(child) not in seen:  # aliases name the same parser
                seen.add(id(child))
                _commands_take_global_options(child)


def _noun_of(argv: list[str] | None) -> str:
    for tok in argv or []:
        if not tok.startswith("-"):
            return tok if tok in COMMANDS else "*"
    return ""


def _verb_of(argv: list[str], noun: str) -> str:
    """The verb after the noun in argv ("" when none, so `polis NOUN --help` builds none of them). A guess: a
    verb that is not the one argparse reaches is built when it is reached (`Later`)."""
    if noun in ("", "*"):
        return "*"
    for tok in argv[argv.index(noun) + 1:]:
        if not tok.startswith("-"):
            return tok
    return ""


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given argv, only the command being run gets its full argument tree."""
    PolisParser.building = True
    if argv is not None:
        PolisParser.verb_of = (noun := _noun_of(argv), _verb_of(argv, noun))
    try:
        return _build(argv)
    finally:
        PolisParser.building = False
        PolisParser.verb_of = ("", "*")


def _build(argv: list[str] | None) -> argparse.ArgumentParser:
    ap = PolisParser(prog="polis", description="Governance and staking wallet for open AI networks.",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="store_true", help="print the version")
    _global_options(ap, top=True)
    sub = OnlySubparsers(ap.add_subparsers(dest="noun", metavar="COMMAND"),
                          _noun_of(argv) if argv is not None else "*")

    # keys ---------------------------------------------------------------------------------------
    keys = sub.add_parser("keys", help="create, import and manage keys in the vault")
    ks = keys.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = ks.add_parser("new", help="create a key from a new BIP-39 mnemonic (shown once)")
    p.add_argument("name")
    p.add_argument("--words", type=int, choices=(12, 24), default=24)
    p.add_argument("--verify", action="store_true", help="ask for three words back before saving")
    p.add_argument("--no-show", action="store_true", help="do not print the mnemonic (back it up with 'keys export')")
    p.add_argument("--show", action="store_true",
                   help="print the mnemonic even when stdout is not a terminal (a pipe or file)")
    p.add_argument("--out", metavar="PATH", help="write the mnemonic to this new file (mode 0600) instead")
    _common(p, unlock=True)
    p = ks.add_parser("import", help="import a mnemonic, raw private key, keystore JSON or a watch-only address")
    p.add_argument("name")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--mnemonic", action="store_true", help="read a mnemonic (prompt, or stdin when piped)")
    src.add_argument("--mnemonic-file", metavar="PATH")
    src.add_argument("--private-key", action="store_true", help="read a hex private key (prompt, or stdin)")
    src.add_argument("--private-key-file", metavar="PATH")
    src.add_argument("--keystore", metavar="PATH", help="Ethereum keystore v3 JSON (geth, MetaMask, cast)")
    src.add_argument("--watch", metavar="ADDRESS", help="watch-only: an address, no key")
    p.add_argument("--keystore-passphrase-file", metavar="PATH",
                   help="the keystore's own passphrase (default: the vault passphrase sources)")
    p.add_argument("--index", type=argtypes.hd_index, default=0, help="HD account index (0..2^31-1, default 0)")
    _common(p, unlock=True)
    p = ks.add_parser("list", help="list accounts (no unlock needed)")
    p.add_argument("--names", action="store_true",
                   help="ask the node for the accounts' ENS names (kept for offline; default: the archive's)")
    _common(p)
    p = ks.add_parser("show", help="show an account's addresses and paths")
    p.add_argument("name")
    p.add_argument("--names", action="store_true", help="ask the node for the account's ENS name (kept for offline)")
    p.add_argument("--derive", action="store_true",
                   help="unlock and record the addresses of key families added since the key was created")
    _common(p, unlock=True)
    p = ks.add_parser("rename", help="rename an account")
    p.add_argument("old")
    p.add_argument("new")
    _common(p)
    p = ks.add_parser("remove", help="delete an account's files from the vault")
    p.add_argument("name")
    p.add_argument("--yes", "-y", action="store_true")
    _common(p)
    p = ks.add_parser("export", help="export a secret: mnemonic, private key or keystore JSON")
    p.add_argument("name")
    p.add_argument("--format", choices=("mnemonic", "private-key", "keystore"), default=None)
    p.add_argument("--out", metavar="PATH", help="write to this file (mode 0600) instead of stdout")
    p.add_argument("--yes", "-y", action="store_true", help="print a secret to a non-terminal stdout")
    _common(p, json=False, unlock=True)
    p = ks.add_parser("remember", help="keep this account's passphrase in the OS keyring (opt-in)")
    p.add_argument("name")
    _common(p, json=False, unlock=True)
    p = ks.add_parser("forget", help="remove this account's passphrase from the OS keyring")
    p.add_argument("name")
    _common(p, json=False)
    if not isinstance(ks, Sink):
        import_module("wallet.cli.btcli_cmd").add_parser(ks)  # light: argparse only at import

    # networks -----------------------------------------------------------------------------------
    nets = sub.add_parser("networks", help="networks and DAOs Polis follows")
    ns = nets.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = ns.add_parser("list", help="list networks and their DAOs")
    _common(p)
    p = ns.add_parser("show", help="show a network or DAO; --check asks its node")
    p.add_argument("name")
    p.add_argument("--check", action="store_true", help="query the node: chain id, head, latency")
    _common(p)
    p = ns.add_parser("add", help="add a network (NAME) or a DAO on a network (NETWORK/DAO)")
    p.add_argument("name")
    p.add_argument("--protocol", "--family", dest="protocol", choices=("evm", "cosmos", "snapshot"), default="evm",
                   help="the network's protocol (--family is the older name)")
    p.add_argument("--space", metavar="SPACE", help="Snapshot space to follow, e.g. ens.eth")
    p.add_argument("--chain-id", help="EVM: a number; Cosmos: the chain id string (e.g. cosmoshub-4)")
    p.add_argument("--rpc", action="append", metavar="URL", type=argtypes.node_url)
    p.add_argument("--symbol", default=None, help="display unit (ETH, ATOM …)")
    p.add_argument("--denom", metavar="BASE", help="Cosmos base denom, e.g. uatom")
    p.add_argument("--prefix", metavar="HRP", help="Cosmos bech32 account prefix, e.g. cosmos")
    p.add_argument("--valoper-prefix", metavar="HRP", help="Cosmos validator prefix (default PREFIX + 'valoper')")
    p.add_argument("--gas-price", metavar="DEC", default="0.025", help="Cosmos gas price in base units")
    p.add_argument("--gov", choices=("auto", "v1", "v1beta1"), default="auto", help="Cosmos gov module version")
    p.add_argument("--decimals", type=int, default=None)
    p.add_argument("--block-time", type=int, default=12)
    p.add_argument("--confirmations", type=int, default=None)
    p.add_argument("--governor", metavar="ADDRESS")
    p.add_argument("--token", metavar="ADDRESS")
    p.add_argument("--kind", choices=("oz", "bravo", "alpha", "nouns", "auto"), default="auto",
                   help="Governor kind (default: detected from the contract)")
    p.add_argument("--token-symbol", default=None, help="default: the token's symbol()")
    p.add_argument("--token-decimals", type=int, default=None, help="default: the token's decimals()")
    p.add_argument("--start-block", type=int, default=0)
    p.add_argument("--adapter", metavar="NAME", help="an adapter other than the protocol's own, e.g. snet_stake "
                                                      "(SingularityNET TokenStake: with --stake-contract and --token)")
    p.add_argument("--stake-contract", metavar="ADDRESS", help="snet_stake: the TokenStake contract")
    p.add_argument("--title", default="", help="display name")
    _common(p)
    p = ns.add_parser("remove", help="remove a network or DAO you added")
    p.add_argument("name")
    _common(p, json=False)

    # proposals ----------------------------------------------------------------------------------
    props = sub.add_parser("proposals", help="read proposals from the archive (works offline)")
    ps = props.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, help_ in (("list", "list proposals"), ("due", "open proposals you have not voted on, closing soonest")):
        p = ps.add_parser(verb, help=help_)
        p.add_argument("--network", "-n", action="append", default=[], metavar="SOURCE",
                       help="a network or network/dao (repeatable)")
        p.add_argument("--status", "-s", action="append", default=[], help="deposit, pending, active, passed, "
                       "rejected, failed, canceled, queued, executed, expired, or open/closed (repeatable)")
        p.add_argument("--needs-my-vote", action="store_true", help="active and not voted by any vault account")
        p.add_argument("--search", metavar="WORDS", help="full-text search in titles and descriptions")
        p.add_argument("--closing-within", type=argtypes.days, metavar="DAYS", help="open and closing within DAYS")
        p.add_argument("--order", choices=("newest", "oldest", "closing"),
                       default="closing" if verb == "due" else "newest")
        p.add_argument("--limit", type=argtypes.bounded_int(1), default=50)
        p.add_argument("--offset", type=argtypes.bounded_int(0), default=0)
        p.add_argument("--account", "-a", action="append", default=[], help="whose votes count as mine (default: all)")
        p.add_argument("--refresh", action="store_true", help="sync the sources first (falls back to the archive)")
        p.add_argument("--offline", action="store_true", help="never touch the network (the default)")
        _common(p)
    p = ps.add_parser("show", help="one proposal: description, actions, tally, timeline, my vote")
    p.add_argument("id", help="ID, SOURCE:ID or a unique ID prefix")
    p.add_argument("--network", "-n", metavar="SOURCE")
    p.add_argument("--account", "-a", action="append", default=[])
    p.add_argument("--refresh", action="store_true")
    p.add_argument("--offline", action="store_true")
    _common(p)
    p = ps.add_parser("votes", help="votes on a proposal (from the archive)")
    p.add_argument("id")
    p.add_argument("--network", "-n", metavar="SOURCE")
    p.add_argument("--search", metavar="TEXT", help="voter address part, reason text, or a choice")
    p.add_argument("--order", choices=("weight", "time", "recent"), default="weight")
    p.add_argument("--limit", type=argtypes.bounded_int(1), default=100)
    p.add_argument("--offset", type=argtypes.bounded_int(0), default=0)
    p.add_argument("--names", action="store_true", help="ask the node for the voters' ENS names (kept for offline)")
    _common(p)
    p = ps.add_parser("simulate", help="run a proposal's actions on a local anvil fork: reverts, events, balances, "
                      "settings (never signs)")
    p.add_argument("id", help="ID, SOURCE:ID or a unique ID prefix")
    p.add_argument("--network", "-n", metavar="SOURCE")
    p.add_argument("--block", type=argtypes.bounded_int(0), metavar="N", help="fork at block N (default: the "
                   "node's latest safe block)")
    p.add_argument("--rpc", metavar="URL", type=argtypes.node_url, help="fork this node instead of the network's")
    p.add_argument("--timeout", type=argtypes.bounded_int(5, 3600), default=300, metavar="SECONDS",
                   help="stop the fork after this long (default 300)")
    _common(p)

    # actions ------------------------------------------------------------------------------------
    p = sub.add_parser("vote", help="vote on a proposal")
    p.add_argument("id", help="ID, SOURCE:ID or a unique ID prefix")
    p.add_argument("choice", help="for, against or abstain (Governor); yes, no, abstain, no_with_veto (Cosmos); "
                   "Snapshot: 2, 1,3 (approval), 1>3>2 (ranked), '-' with --weights 1=2,3=1 (weighted/quadratic)")
    p.add_argument("--reason", "-r", default="", help="a reason recorded with the vote (where supported)")
    p.add_argument("--weights", metavar="CHOICE=W,…", help="weighted vote where supported, e.g. yes=0.7,no=0.3")
    p.add_argument("--network", "-n", metavar="SOURCE")
    p.add_argument("--account", "-a", help="vault account (default: the only one)")
    _common(p, write=True)
    p = sub.add_parser("delegate", help="delegate voting power")
    p.add_argument("--to", required=True, metavar="ADDRESS", help="an address, or 'self'")
    p.add_argument("--network", "-n", required=True, metavar="SOURCE", help="network/dao")
    p.add_argument("--account", "-a")
    _common(p, write=True)

    # staking --------------------------------------------------------------------------------------
    stake = sub.add_parser("stake", help="stakes and delegations to validators, hotkeys, stake windows")
    ss = stake.add_subparsers(dest="verb", metavar="VERB", required=True)

    def stake_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--network", "-n", required=True, metavar="NETWORK")
        p.add_argument("--account", "-a")
        p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                       help="adapter option, e.g. limit_price=…, tolerance=0.005, allow_partial=true, "
                            "allow_jailed=true, auto_renew=true")
        _common(p, write=True)

    p = ss.add_parser("list", help="my stakes, unbondings and rewards (network read; archived)")
    p.add_argument("--network", "-n", action="append", default=[], metavar="NETWORK")
    p.add_argument("--account", "-a", action="append", default=[])
    p.add_argument("--offline", action="store_true", help="show the archived stakes only")
    _common(p)
    p = ss.add_parser("add", help="stake / delegate an amount to a target")
    p.add_argument("target", help="validator (…valoper…), hotkey, or stake window")
    p.add_argument("amount", help="e.g. '1.5 AKT', '1500000uakt', '2' (network's unit)")
    p.add_argument("--subnet", metavar="NETUID")
    stake_opts(p)
    p = ss.add_parser("remove", help="unstake / undelegate (an amount, or --all)")
    p.add_argument("target")
    p.add_argument("amount", nargs="?")
    p.add_argument("--all", action="store_true")
    p.add_argument("--subnet", metavar="NETUID")
    stake_opts(p)
    p = ss.add_parser("move", help="move stake / redelegate from one target to another")
    p.add_argument("source_target", metavar="FROM")
    p.add_argument("dest_target", metavar="TO")
    p.add_argument("amount", nargs="?")
    p.add_argument("--all", action="store_true")
    p.add_argument("--from-subnet", metavar="NETUID")
    p.add_argument("--to-subnet", metavar="NETUID")
    stake_opts(p)
    p = ss.add_parser("claim", help="withdraw rewards / claim a stake window")
    p.add_argument("target", nargs="?", help="one validator or window (default: all)")
    stake_opts(p)
    p = ss.add_parser("withdraw", help="take back pending stake from a stake window (SingularityNET)")
    p.add_argument("target", help="stake window ('current' or its index)")
    p.add_argument("amount", nargs="?")
    p.add_argument("--all", action="store_true")
    stake_opts(p)
    p = sub.add_parser("power", help="my current delegation and voting power on each followed DAO and network")
    p.add_argument("--network", "-n", action="append", default=[], metavar="NETWORK",
                   help="a network or source (repeatable; default: every followed source)")
    p.add_argument("--account", "-a", action="append", default=[], help="vault account (repeatable; default: all)")
    p.add_argument("--offline", action="store_true", help="the archive's last known delegate and power; no node")
    _common(p)
    p = sub.add_parser("validators", help="validators, delegates or stake windows of a network")
    p.add_argument("--network", "-n", required=True, metavar="NETWORK")
    p.add_argument("--limit", type=argtypes.bounded_int(1), default=50)
    p.add_argument("--offline", action="store_true")
    _common(p)

    # batch ------------------------------------------------------------------------------------------
    batch = sub.add_parser("batch", help="plan files: many votes and stake moves across networks, one unlock")
    bs = batch.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = bs.add_parser("template", help="print a commented example plan (TOML)")
    p.add_argument("--format", choices=("toml", "json"), default="toml")
    p = bs.add_parser("check", help="validate a plan without a network; --dry-run simulates every action")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--dry-run", action="store_true", help="simulate every action against the nodes")
    _batch_fee_cap(p)
    _common(p, unlock=False)
    p = bs.add_parser("run", help="run a plan: unlock each key once, group actions per network")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--yes", "-y", action="store_true", help="required when not interactive")
    p.add_argument("--report", metavar="PATH", help="also write the JSON report to this file")
    _batch_fee_cap(p)
    _common(p, unlock=True)
    p = bs.add_parser("resume", help="finish an interrupted run; never sends an action twice")
    p.add_argument("plan", metavar="PLAN", nargs="?", help="the plan file (default: the last unfinished run)")
    p.add_argument("--yes", "-y", action="store_true")
    p.add_argument("--report", metavar="PATH")
    _batch_fee_cap(p)
    _common(p, unlock=True)
    p = bs.add_parser("status", help="the journal of a plan's run")
    p.add_argument("plan", metavar="PLAN", nargs="?")
    _common(p)

    # sync, export, history -----------------------------------------------------------------------
    p = sub.add_parser("sync", help="bring the archive up to date (all followed sources or the named ones)")
    p.add_argument("targets", nargs="*", metavar="TARGET", help="network or network/dao")
    p.add_argument("--rpc", metavar="URL", type=argtypes.node_url)
    p.add_argument("--accept-deep-reorg", action="store_true",
                   help="roll the archive back even for a reorg deeper than the network's reorg_depth")
    _common(p)
    p = sub.add_parser("export", help="export proposals or votes from the archive as CSV or JSON")
    p.add_argument("what", choices=("proposals", "votes"))
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--network", "-n", action="append", default=[], metavar="SOURCE")
    p.add_argument("--proposal", metavar="ID", help="votes of one proposal only")
    p.add_argument("--voter", metavar="ADDRESS", help="votes of one voter only")
    p.add_argument("--out", "-o", metavar="PATH", help="write to a file (default stdout)")
    p = sub.add_parser("history", help="the journal of actions sent from this machine")
    p.add_argument("--limit", type=argtypes.bounded_int(1), default=20)
    p.add_argument("--refresh", action="store_true",
                   help="first settle sent and pending actions against their nodes "
                        "(confirmed, failed or still pending)")
    _common(p)
    p = sub.add_parser("status", help="what the archive holds and how fresh each source is")
    _common(p)

    # front ends ---------------------------------------------------------------------------------
    p = sub.add_parser("tui", help="open the terminal UI")
    p.add_argument("--offline", action="store_true", help="never touch the network: browse the archive only")
    p = sub.add_parser("demo", help="start a local devnet with a seeded DAO, a demo key, sync, open the TUI")
    p.add_argument("--headless", action="store_true", help="print a summary and exit instead of opening the TUI")
    p.add_argument("--port", type=argtypes.bounded_int(1, 65535), default=None, help="anvil port (default: a free one)")
    p.add_argument("--voters", type=argtypes.bounded_int(1, 100_000), default=200)
    p.add_argument("--keep", action="store_true", help="with --headless: keep the devnet running until Ctrl-C")
    _common(p)
    p = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)",
                       description="Load it with: eval \"$(polis completion bash)\" (zsh likewise); "
                                   "fish: polis completion fish | source")
    p.add_argument("shell", choices=("bash", "zsh", "fish"))
    _commands_take_global_options(ap, _noun_of(argv) if argv is not None else "*")
    return ap


COMMANDS = {
    "keys": "wallet.cli.keys_cmd",
    "networks": "wallet.cli.networks_cmd",
    "proposals": "wallet.cli.proposals_cmd",
    "vote": "wallet.cli.actions_cmd",
    "delegate": "wallet.cli.actions_cmd",
    "stake": "wallet.cli.stake_cmd",
    "validators": "wallet.cli.stake_cmd",
    "power": "wallet.cli.power_cmd",
    "batch": "wallet.cli.batch_cmd",
    "sync": "wallet.cli.sync_cmd",
    "export": "wallet.cli.export_cmd",
    "history": "wallet.cli.sync_cmd",
    "status": "wallet.cli.sync_cmd",
    "tui": "wallet.cli.app_cmd",
    "demo": "wallet.cli.app_cmd",
    "completion": "wallet.cli.completion",
}
COMMAND_KINDS = {"vote": "action", "delegate": "action", "stake": "action", "sync": "sync", "batch": "batch",
                 "proposals simulate": "sync", "keys": "local", "tui": "local", "demo": "local",
                 "completion": "local"}
"""Which time budget (wallet/budget.py DEFAULTS) a command gets; any other is a "read"."""


def _setup_logging() -> None:
    """Logging set up now (wallet/cli/logsetup.py); a command sets it up when logging is first imported."""
    from wallet.cli import logsetup

    logsetup.setup()


class _ClosedStdin:
    """Stands in for a closed standard input: reads as empty, is not a terminal, and says so."""

    polis_closed = True
    closed = False

    def read(self, *_: object) -> str:
        return ""

    def readline(self, *_: object) -> str:
        return ""

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard input is closed")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv
    PolisParser.json_errors = json_mode
    if argv[:1] == ["__complete"]:  # the shell asking for candidates (see wallet/cli/completion.py)
        from wallet.cli.completion import complete_main

        return complete_main(argv[1:])
    if sys.stdout is None:
        if sys.stderr is not None:
            sys.stderr.write("error: standard output is closed; redirect it (e.g. > /dev/null) instead\n")
        return 2
    if sys.stdin is None:
        sys.stdin = _ClosedStdin()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.version:
        from wallet import __version__

        print(f"polis {__version__}")
        return 0
    if not args.noun:
        parser.print_help()
        return 2
    from wallet.cli import logsetup

    logsetup.set_up_when_imported()  # a read that logs nothing never loads logging
    from wallet import budget
    from wallet.errors import PolisError

    try:
        name = " ".join(x for x in (args.noun, getattr(args, "verb", None)) if isinstance(x, str))
        budget.start(budget.choose(COMMAND_KINDS.get(name) or COMMAND_KINDS.get(args.noun, "read"),
                                   args.command_timeout), name)
        target = "wallet.cli.btcli_cmd" if getattr(args, "verb", None) == "import-btcli" else COMMANDS[args.noun]
        module = import_module(target)
        process.collect_from_here()
        return int(module.run(args) or 0)
    except PolisError as exc:
        report_error(snake(type(exc).__name__), exc.exit_code, str(exc), exc.hint, json_mode=json_mode)
        return exc.exit_code
    except budget.BudgetExceeded as exc:  # no PolisError, so no fallback swallows it (wallet/budget.py)
        report_error("budget_exceeded", exc.exit_code, str(exc), exc.hint, json_mode=json_mode)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        message = file_error(exc)
        if message is None:
            return internal(exc, args, json_mode)
        report_error("file_error", 2, message, None, json_mode=json_mode)
        return 2
    except RecursionError:
        report_error("bad_input", 2, "the input is nested too deeply", None, json_mode=json_mode)
        return 2
    except Exception as exc:
        if type(exc).__module__ == "sqlite3" and ("disk is full" in str(exc) or "disk I/O error" in str(exc)):
            report_error("file_error", 2, f"cannot write the archive: {exc} (is the disk full?); nothing was changed",
                         None, json_mode=json_mode)
            return 2
        return internal(exc, args, json_mode)
    finally:
        budget.stop()  # an in-process caller (tests, the TUI after a command) is not bound by it
        logsetup.remove_hook()


if __name__ == "__main__":  # pragma: no cover
    from wallet.cli.process import console

    sys.exit(console())
