#!/usr/bin/env node
// Compile every .sol file of a folder with the devnet's solc-js, resolving "@openzeppelin/contracts/..."
// in a given OpenZeppelin package (tests pin older releases in tests/js/package.json).
// Usage: node compile_sol.js CONTRACTS_DIR OPENZEPPELIN_DIR OUT.json
// Output: {"solcVersion": "...", "artifacts": {"Name": {"abi": [...], "bytecode": "0x..."}}}
"use strict";

const fs = require("fs");
const path = require("path");

const [dir, oz, out] = process.argv.slice(2);
if (!dir || !oz || !out) {
  process.stderr.write("usage: node compile_sol.js CONTRACTS_DIR OPENZEPPELIN_DIR OUT.json\n");
  process.exit(2);
}
const solc = require(path.join(__dirname, "..", "..", "devnet", "node_modules", "solc"));
const PREFIX = "@openzeppelin/contracts/";

function findImports(importPath) {
  const file = importPath.startsWith(PREFIX) ? path.join(oz, importPath.slice(PREFIX.length)) : null;
  if (file && path.resolve(file).startsWith(path.resolve(oz) + path.sep) && fs.existsSync(file)) {
    return { contents: fs.readFileSync(file, "utf8") };
  }
  return { error: `import not found: ${importPath}` };
}

const sources = {};
for (const file of fs.readdirSync(dir).sort()) {
  if (file.endsWith(".sol")) sources[file] = { content: fs.readFileSync(path.join(dir, file), "utf8") };
}
// TimelockController is compiled from the package itself, so the tests deploy that release's timelock
const timelock = PREFIX + "governance/TimelockController.sol";
sources[timelock] = { content: findImports(timelock).contents };
const input = {
  language: "Solidity",
  sources,
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of errors) process.stderr.write((e.formattedMessage || e.message) + "\n");
if (errors.length) process.exit(1);
const artifacts = {};
for (const contracts of Object.values(output.contracts || {})) {
  for (const [name, c] of Object.entries(contracts)) {
    if (c.evm.bytecode.object) artifacts[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  }
}
fs.writeFileSync(out, JSON.stringify({ solcVersion: solc.version(), artifacts }));
