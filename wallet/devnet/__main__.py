"""`python -m wallet.devnet`: start anvil, deploy and seed the three test DAOs, print a JSON
summary, and keep anvil running until Ctrl-C (or stop at once with --exit)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

from wallet.devnet import DevnetError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wallet.devnet", description=__doc__)
    parser.add_argument("--port", type=int, default=8545, help="loopback port (default 8545; 0 = any free port)")
    parser.add_argument("--chain-id", type=int, default=31337)
    parser.add_argument("--block-time", type=float, default=None, help="mine every N seconds (default: on demand)")
    parser.add_argument("--voters", type=int, default=200, help="voters per DAO (default 200)")
    parser.add_argument("--kinds", default="bravo,oz,oz_timestamp", help="comma-separated DAO kinds")
    parser.add_argument("--no-seed", action="store_true", help="deploy only")
    parser.add_argument("--exit", action="store_true", help="stop anvil after printing the summary")
    args = parser.parse_args(argv)

    from wallet.devnet.anvil import Anvil
    from wallet.devnet.compile import compile_contracts
    from wallet.devnet.deploy import deploy_dao
    from wallet.devnet.seed import seed_dao

    anvil = Anvil(port=args.port or None, chain_id=args.chain_id, block_time=args.block_time)
    try:
        compile_contracts()
        anvil.start()
        pid = anvil.process.pid if anvil.process is not None else None
        summary: dict = {"url": anvil.url, "chain_id": anvil.chain_id, "pid": pid, "daos": {}}
        # Bravo first: reaching its Expired state moves the chain clock past its grace period,
        # which would end the open proposals of a timestamp DAO seeded before it.
        for kind in [k.strip() for k in args.kinds.split(",") if k.strip()]:
            dep = deploy_dao(anvil, kind, bravo_grace_period=3 * 86_400)
            entry = dep.as_dict()
            if not args.no_seed:
                entry["seed"] = seed_dao(anvil, dep, n_voters=args.voters).as_dict()
            summary["daos"][kind] = entry
        print(json.dumps(summary, indent=2), flush=True)
        if args.exit:
            return 0
        print(f"anvil is running at {anvil.url} (log: {anvil.log_path}); Ctrl-C to stop", file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while anvil.running:
            time.sleep(0.5)
        print("anvil exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except DevnetError as exc:
        print(f"error: {exc}" + (f"\nhint: {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return exc.exit_code
    finally:
        anvil.stop()


if __name__ == "__main__":
    sys.exit(main())
