// Bittensor oracle: decode every extrinsic Polis submitted with @polkadot/types and the real finney
// metadata, rebuild it byte for byte, verify its sr25519 signature over the signing payload with
// @polkadot/util-crypto, and derive addresses with @polkadot/keyring.
// stdin: {"metadata": path of the Option<OpaqueMetadata> hex, "cases": [{"extrinsic": hex, "genesis": hex,
//         "spec_version", "tx_version", "current": head number when signed, "hashes": {number: hex}}],
//         "addresses": [{"mnemonic", "index"}]}
// stdout: {"cases": [{"errors", "signer", "nonce", "tip", "era": {period, phase} | null, "calls": [...]}],
//          "addresses": [...]}
"use strict";
const fs = require("fs");
const { TypeRegistry, Metadata } = require("@polkadot/types");
const { compactFromU8a, hexToU8a, u8aToHex } = require("@polkadot/util");
const { blake2AsU8a, cryptoWaitReady, signatureVerify } = require("@polkadot/util-crypto");
const { Keyring } = require("@polkadot/keyring");

function loadRegistry(path) {
  const raw = hexToU8a(fs.readFileSync(path, "utf8").trim());
  if (raw[0] !== 1) throw new Error("Option::Some expected");
  const [offset, length] = compactFromU8a(raw.subarray(1));
  const inner = raw.subarray(1 + offset, 1 + offset + length.toNumber());
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, inner);
  registry.setMetadata(metadata);
  return registry;
}

function calls(call) {
  const one = { section: call.section, method: call.method, args: {} };
  call.meta.args.forEach((a, i) => { one.args[a.name.toString()] = call.args[i].toJSON(); });
  if (call.section === "utility" && call.method.startsWith("batch")) {
    return [{ ...one, args: {} }, ...call.args[0].flatMap((c) => calls(c))];
  }
  return [one];
}

function rebuild(registry, call) {
  const fn = registry.findMetaCall(call.callIndex);
  return fn(...call.args.map((a, i) => (call.meta.args[i].type.toString() === "Vec<RuntimeCall>"
    || call.meta.args[i].type.toString() === "Vec<Call>" ? a.map((inner) => rebuild(registry, inner)) : a.toJSON())));
}

function check(registry, c) {
  const errors = [];
  const ext = registry.createType("Extrinsic", c.extrinsic);
  if (ext.toHex() !== c.extrinsic) errors.push("the decoded extrinsic does not re-encode to the same bytes");
  if (!ext.isSigned) return { errors: [...errors, "not signed"] };
  // The call rebuilt from its decoded arguments must be the same bytes.
  if (rebuild(registry, ext.method).toHex() !== ext.method.toHex()) errors.push("the call rebuilt from its arguments differs");
  const era = ext.era;
  let birthHash = c.genesis;
  let eraInfo = null;
  if (era.isMortalEra) {
    const m = era.asMortalEra;
    const birth = m.birth(c.current);
    eraInfo = { period: m.period.toNumber(), phase: m.phase.toNumber(), birth };
    birthHash = c.hashes[String(birth)];
    if (!birthHash) errors.push(`no hash known for the era's birth block ${birth}`);
  }
  const payload = registry.createType("ExtrinsicPayload", {
    method: ext.method.toHex(), era: ext.era, nonce: ext.nonce, tip: ext.tip,
    specVersion: c.spec_version, transactionVersion: c.tx_version, genesisHash: c.genesis,
    blockHash: birthHash || c.genesis, mode: 0, metadataHash: null,
  }, { version: ext.version & 0x7f });
  let bytes = payload.toU8a({ method: true });
  if (bytes.length > 256) bytes = blake2AsU8a(bytes);
  const signer = ext.signer.toString();
  const v = signatureVerify(bytes, ext.signature.toU8a(), signer);
  if (!v.isValid || v.crypto !== "sr25519") errors.push(`signature does not verify (crypto ${v.crypto})`);
  return {
    errors, signer, nonce: ext.nonce.toNumber(), tip: ext.tip.toString(), era: eraInfo,
    calls: calls(ext.method), length: ext.encodedLength, payload_hashed: payload.toU8a({ method: true }).length > 256,
  };
}

async function main() {
  await cryptoWaitReady();
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = { cases: [], addresses: [] };
  if ((input.cases || []).length) {
    const registry = loadRegistry(input.metadata);
    for (const c of input.cases) {
      try { out.cases.push(check(registry, c)); } catch (e) { out.cases.push({ errors: [String(e && e.stack || e)] }); }
    }
  }
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  for (const a of input.addresses || []) {
    out.addresses.push(keyring.addFromUri(a.index ? `${a.mnemonic}//${a.index}` : a.mnemonic).address);
  }
  process.stdout.write(JSON.stringify(out));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
