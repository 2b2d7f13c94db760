#!/usr/bin/env node
// Compile devnet/contracts/*.sol with solc-js (npm `solc`) against npm @openzeppelin/contracts.
// Usage: node compile.js [out.json [CONTRACTS_DIR OPENZEPPELIN_DIR]]   (stdout without an argument)
// CONTRACTS_DIR and OPENZEPPELIN_DIR compile another folder against another OpenZeppelin release (the
// tests' OpenZeppelin 4 governors: tests/contracts against tests/js's @openzeppelin/contracts-v4).
// Output: {"solcVersion": "...", "artifacts": {"Name": {"abi": [...], "bytecode": "0x...",
//          "deployedSize": n}}} for every contract in the folder plus that release's TimelockController.
"use strict";

const fs = require("fs");
const path = require("path");

const here = __dirname;
const nodeModules = path.join(here, "node_modules");
const contractsDir = path.resolve(process.argv[3] || path.join(here, "contracts"));
const ozDir = path.resolve(process.argv[4] || path.join(nodeModules, "@openzeppelin", "contracts"));
const OZ = "@openzeppelin/contracts/";
const EXTRA = { [OZ + "governance/TimelockController.sol"]: ["TimelockController"] };

let solc;
try {
  solc = require(path.join(nodeModules, "solc"));
} catch (err) {
  process.stderr.write("solc-js is not installed: run `npm ci` in devnet/\n");
  process.exit(2);
}

function findImports(importPath) {
  // OpenZeppelin from its package, anything else beside the contracts; never a path outside the two
  const [root, rest] = importPath.startsWith(OZ) ? [ozDir, importPath.slice(OZ.length)] : [contractsDir, importPath];
  const resolved = path.resolve(root, rest);
  if (resolved.startsWith(root + path.sep) && fs.existsSync(resolved)) {
    return { contents: fs.readFileSync(resolved, "utf8") };
  }
  return { error: `import not found: ${importPath}` };
}

const sources = {};
const outputSelection = {};
const wanted = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"];
for (const file of fs.readdirSync(contractsDir).sort()) {
  if (!file.endsWith(".sol")) continue;
  sources[file] = { content: fs.readFileSync(path.join(contractsDir, file), "utf8") };
  outputSelection[file] = { "*": wanted };
}
for (const [file, names] of Object.entries(EXTRA)) {
  outputSelection[file] = {};
  for (const name of names) outputSelection[file][name] = wanted;
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 200 },
    outputSelection,
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) {
  if (e.severity === "error") process.stderr.write((e.formattedMessage || e.message) + "\n");
}
if (errors.length) process.exit(1);

const artifacts = {};
for (const [file, contracts] of Object.entries(output.contracts || {})) {
  for (const [name, c] of Object.entries(contracts)) {
    if (!outputSelection[file] || !(outputSelection[file]["*"] || outputSelection[file][name])) continue;
    const bytecode = c.evm.bytecode.object;
    if (!bytecode) continue; // interfaces and abstract contracts
    artifacts[name] = {
      abi: c.abi,
      bytecode: "0x" + bytecode,
      deployedSize: c.evm.deployedBytecode.object.length / 2,
    };
  }
}

const result = JSON.stringify({ solcVersion: solc.version(), artifacts });
if (process.argv[2]) {
  fs.mkdirSync(path.dirname(path.resolve(process.argv[2])), { recursive: true });
  fs.writeFileSync(process.argv[2], result);
} else {
  process.stdout.write(result);
}
