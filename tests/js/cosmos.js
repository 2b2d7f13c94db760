// Cosmos oracle: decode, rebuild and verify with cosmjs what Polis broadcast.
// stdin: {"cases": [{"tx_bytes": b64, "chain_id", "account_number", "mnemonic", "prefix", "address"}],
//         "addresses": [{"mnemonic", "prefix", "index"}]}
// stdout: {"cases": [{"errors": [...], "messages": [{typeUrl, value}], "memo", "fee", "gas"}], "addresses": [...]}
"use strict";
const { Registry, decodeTxRaw, makeAuthInfoBytes, makeSignBytes, makeSignDoc, encodePubkey, DirectSecp256k1HdWallet } =
  require("@cosmjs/proto-signing");
const { encodeSecp256k1Pubkey, pubkeyToAddress, Secp256k1HdWallet, makeCosmoshubPath } = require("@cosmjs/amino");
const { Secp256k1, Secp256k1Signature, sha256 } = require("@cosmjs/crypto");
const { fromBase64, toBase64, toHex } = require("@cosmjs/encoding");
const govV1 = require("cosmjs-types/cosmos/gov/v1/tx");
const govV1b = require("cosmjs-types/cosmos/gov/v1beta1/tx");
const staking = require("cosmjs-types/cosmos/staking/v1beta1/tx");
const distribution = require("cosmjs-types/cosmos/distribution/v1beta1/tx");
const { TxRaw } = require("cosmjs-types/cosmos/tx/v1beta1/tx");

const registry = new Registry([
  ["/cosmos.gov.v1.MsgVote", govV1.MsgVote],
  ["/cosmos.gov.v1.MsgVoteWeighted", govV1.MsgVoteWeighted],
  ["/cosmos.gov.v1beta1.MsgVote", govV1b.MsgVote],
  ["/cosmos.gov.v1beta1.MsgVoteWeighted", govV1b.MsgVoteWeighted],
  ["/cosmos.staking.v1beta1.MsgDelegate", staking.MsgDelegate],
  ["/cosmos.staking.v1beta1.MsgUndelegate", staking.MsgUndelegate],
  ["/cosmos.staking.v1beta1.MsgBeginRedelegate", staking.MsgBeginRedelegate],
  ["/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", distribution.MsgWithdrawDelegatorReward],
]);
// secp256k1 group order / 2: a low-S signature has s <= this.
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

function plain(value) {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString()
    : v instanceof Uint8Array ? toHex(v) : v)));
}

async function checkTx(c) {
  const errors = [];
  const bytes = fromBase64(c.tx_bytes);
  const tx = decodeTxRaw(bytes);
  const raw = TxRaw.decode(bytes);
  if (toHex(TxRaw.encode(raw).finish()) !== toHex(bytes)) errors.push("TxRaw does not re-encode to the same bytes");
  const messages = tx.body.messages.map((any) => ({ typeUrl: any.typeUrl, value: plain(registry.decode(any)) }));
  // Body rebuilt by cosmjs from the decoded messages must be byte-identical.
  const body = registry.encodeTxBody({
    messages: tx.body.messages.map((any) => ({ typeUrl: any.typeUrl, value: registry.decode(any) })),
    memo: tx.body.memo, timeoutHeight: tx.body.timeoutHeight,
  });
  if (toHex(body) !== toHex(raw.bodyBytes)) errors.push("body bytes differ from cosmjs' encoding of the same messages");
  if (tx.authInfo.signerInfos.length !== 1) errors.push("expected one signer");
  const info = tx.authInfo.signerInfos[0];
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(c.mnemonic, { prefix: c.prefix });
  const [account] = await wallet.getAccounts();
  if (account.address !== c.address) errors.push(`cosmjs derives ${account.address}, Polis signed as ${c.address}`);
  const pubkey = encodePubkey(encodeSecp256k1Pubkey(account.pubkey));
  if (info.publicKey.typeUrl !== pubkey.typeUrl || toHex(info.publicKey.value) !== toHex(pubkey.value)) {
    errors.push("signer public key differs from cosmjs' encoding of the account key");
  }
  if (info.modeInfo.single?.mode !== 1) errors.push("sign mode is not SIGN_MODE_DIRECT");
  const auth = makeAuthInfoBytes([{ pubkey, sequence: info.sequence }], tx.authInfo.fee.amount,
    Number(tx.authInfo.fee.gasLimit), tx.authInfo.fee.granter, tx.authInfo.fee.payer);
  if (toHex(auth) !== toHex(raw.authInfoBytes)) errors.push("auth info bytes differ from cosmjs' makeAuthInfoBytes");
  for (const m of messages) {
    const who = m.value.voter || m.value.delegatorAddress;
    if (who !== c.address) errors.push(`${m.typeUrl} is for ${who}, not the signer ${c.address}`);
  }
  // Signature: over SHA-256 of the SignDoc, 64 bytes r||s, low-S, and equal to what cosmjs signs.
  const signDoc = makeSignDoc(raw.bodyBytes, raw.authInfoBytes, c.chain_id, c.account_number);
  const sigBytes = tx.signatures[0];
  if (sigBytes.length !== 64) errors.push(`signature is ${sigBytes.length} bytes, not 64`);
  const sig = Secp256k1Signature.fromFixedLength(sigBytes);
  const s = BigInt("0x" + toHex(sig.s()));
  if (s > HALF_N) errors.push("signature is not low-S");
  const ok = await Secp256k1.verifySignature(sig, sha256(makeSignBytes(signDoc)), account.pubkey);
  if (!ok) errors.push("signature does not verify over the SignDoc");
  const theirs = await wallet.signDirect(account.address, signDoc);
  if (theirs.signature.signature !== toBase64(sigBytes)) errors.push("signature differs from cosmjs' signDirect");
  return {
    errors, messages, memo: tx.body.memo, gas: tx.authInfo.fee.gasLimit.toString(),
    fee: tx.authInfo.fee.amount.map((x) => x.amount + x.denom).join(","), sequence: info.sequence.toString(),
  };
}

async function address(a) {
  const w = await Secp256k1HdWallet.fromMnemonic(a.mnemonic, { prefix: a.prefix, hdPaths: [makeCosmoshubPath(a.index)] });
  const [acc] = await w.getAccounts();
  if (pubkeyToAddress(encodeSecp256k1Pubkey(acc.pubkey), a.prefix) !== acc.address) throw new Error("address mismatch");
  return acc.address;
}

async function main() {
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const out = { cases: [], addresses: [] };
  for (const c of input.cases || []) {
    try { out.cases.push(await checkTx(c)); } catch (e) { out.cases.push({ errors: [String(e && e.stack || e)] }); }
  }
  for (const a of input.addresses || []) out.addresses.push(await address(a));
  process.stdout.write(JSON.stringify(out));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
