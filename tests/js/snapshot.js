// Snapshot oracle: the envelope snapshot.js would post for the same vote, signed by ethers, and the
// signer ethers recovers from the envelope Polis posted.
// stdin: {"cases": [{"envelope": {address, sig, data}, "type": vote type, "private_key": hex}]}
// stdout: {"version": snapshot.js version, "cases": [{"errors": [...], "recovered", "theirs": envelope}]}
"use strict";
const snapshot = require("@snapshot-labs/snapshot.js");
const { Wallet, verifyTypedData, getAddress } = require("ethers");
const VERSION = require("@snapshot-labs/snapshot.js/package.json").version;

class Capture extends snapshot.Client712 {
  async send(envelope) { return envelope; }
}

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

async function check(c) {
  const errors = [];
  const env = c.envelope;
  const { domain, types, message } = env.data;
  const recovered = verifyTypedData(domain, types, message, env.sig);
  if (recovered !== env.address) errors.push(`ethers recovers ${recovered}, the envelope says ${env.address}`);
  if (message.from !== env.address) errors.push(`from ${message.from} is not the envelope address ${env.address}`);
  if (getAddress(env.address) !== env.address) errors.push("envelope address is not checksummed");
  // The sequencer validates the message with snapshot.js' own vote schema (reason, app lengths …).
  let metadata;
  try { metadata = JSON.parse(message.metadata); } catch (_e) { errors.push("metadata is not JSON"); }
  const valid = snapshot.utils.validateSchema(snapshot.schemas.vote, {
    proposal: message.proposal, choice: message.choice, reason: message.reason, app: message.app, metadata });
  if (valid !== true) errors.push(`vote schema: ${JSON.stringify(valid)}`);
  // What snapshot.js signs for the same vote: same message fields, the choice as the app passes it.
  const wallet = new Wallet(c.private_key);
  const signer = { _signTypedData: (d, t, m) => wallet.signTypedData(d, t, m) };
  const vote = { ...message, type: c.type };
  if (["weighted", "quadratic"].includes(c.type)) vote.choice = JSON.parse(message.choice);
  const theirs = await new Capture().vote(signer, wallet.address, vote);
  if (!same(theirs.data.domain, domain)) errors.push("domain differs from snapshot.js'");
  if (!same(theirs.data.types, types)) errors.push(`types differ: snapshot.js signs ${JSON.stringify(theirs.data.types)}`);
  if (!same(theirs.data.message, message)) {
    errors.push(`message differs: snapshot.js signs ${JSON.stringify(theirs.data.message)}`);
  }
  if (theirs.address !== env.address) errors.push(`snapshot.js posts address ${theirs.address}`);
  if (theirs.sig !== env.sig) errors.push("signature differs from ethers' over snapshot.js' typed data");
  return { errors, recovered, theirs };
}

async function main() {
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const out = { version: VERSION, cases: [] };
  // JSON.stringify of the numbers given as decimal text (what snapshot.js writes for choice weights).
  out.numbers = (input.numbers || []).map((t) => JSON.stringify(Number(t)));
  for (const c of input.cases || []) {
    try { out.cases.push(await check(c)); } catch (e) { out.cases.push({ errors: [String(e && e.stack || e)] }); }
  }
  process.stdout.write(JSON.stringify(out));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
